package main

import (
	"strings"

	"github.com/aiobench/aiobench/engines"
	flag "github.com/spf13/pflag"
)

// An engineFlag is a flag of one engine's option: --<engine>-<option>, or its alias.
type engineFlag struct {
	flag, engine string
	opt          engines.Option
}

// engineOptionFlags lists every linked engine's options as flags: first the aliases the
// options keep from before engines declared them (their old flag names, a contract), then
// --<engine>-<name> for each.
func engineOptionFlags() []engineFlag {
	var aliases, named []engineFlag
	for _, name := range engines.Names() {
		e, _ := engines.Lookup(name)
		o, ok := e.(engines.Optioned)
		if !ok {
			continue
		}
		for _, opt := range o.Options() {
			if opt.Alias != "" {
				aliases = append(aliases, engineFlag{opt.Alias, name, opt})
			}
			if qualified := name + "-" + opt.Name; qualified != opt.Alias {
				named = append(named, engineFlag{qualified, name, opt})
			}
		}
	}
	return append(aliases, named...)
}

// optionValue sets one engine option, validated by the engine's own Parse.
type optionValue struct {
	opts *map[string]string
	key  string // engine.option
	opt  engines.Option
}

func (v optionValue) String() string { return (*v.opts)[v.key] }

// takes reports whether s is a value of the option (valueTaker), as "on" is of a switch.
func (v optionValue) takes(s string) bool {
	_, err := v.opt.Parse(s)
	return err == nil && !strings.HasPrefix(s, "-")
}
func (v optionValue) Type() string { return v.opt.Kind }
func (v optionValue) Set(s string) error {
	canon, err := v.opt.Parse(s)
	if err != nil {
		return err
	}
	if *v.opts == nil {
		*v.opts = map[string]string{}
	}
	(*v.opts)[v.key] = canon
	return nil
}

// bindEngineOptions adds every engine option's flags to fs: the aliases (the flags' old names,
// a contract) first, in the engines' order, then --<engine>-<option>.
func bindEngineOptions(fs *flag.FlagSet, o *options) {
	for _, f := range engineOptionFlags() {
		help := f.opt.Help
		if f.flag != f.opt.Alias {
			help = "the " + f.engine + " engine's " + f.opt.Name + " option (as --" + f.opt.Alias + ")"
			if f.opt.Alias == "" {
				help = f.opt.Help
			}
		}
		fs.Var(optionValue{&o.engineOpts, f.engine + "." + f.opt.Name, f.opt}, f.flag, help)
		if f.opt.Bare != "" {
			fs.Lookup(f.flag).NoOptDefVal = f.opt.Bare
		}
	}
}
