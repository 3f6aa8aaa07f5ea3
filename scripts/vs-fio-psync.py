#!/usr/bin/env python3
"""aiobench's sync engine against fio's psync engine, 4 KiB random reads, QD1, cold and warm, in
interleaved pairs: the sync-cold and sync-warm cases of scripts/fio-crosscheck.py, which this
script grew into (see its doc for how the cache is verified and fio configured).

  scripts/vs-fio-psync.py [PAIRS] [RUNTIME_S]        e.g. scripts/vs-fio-psync.py 5 3
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
os.execv(sys.executable, [sys.executable, os.path.join(here, "fio-crosscheck.py"),
                          *(sys.argv[1:3] or ["5", "3"]), "sync-cold", "sync-warm"])
