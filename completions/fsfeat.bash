# bash completion for fsfeat(1)                            -*- shell-script -*-
#
# The options are those of `fsfeat --help`; tests/cli/options-agree.sh checks
# that the two lists below name the same ones.

# Files, also with spaces in their names; bash-completion's _filedir when loaded.
_fsfeat_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_fsfeat()
{
    local cur prev
    local opts_long='--checkpoint= --emit= --errors= --help --inspect --into= --kcat --lateness= --max-errors= --online= --online-prefix= --online-timeout= --online-ttl= --output= --regex= --rows= --spec= --state= --time-field= --time-unit= --ttl= --version'
    local opts_short='-h -o -s -t -u -V'

    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--spec=sp": bash splits at "=" (COMP_WORDBREAKS), giving "--spec" "=" "sp".
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        # COMP_WORDBREAKS without "=": the option and its value in one word.
        prev=${cur%%=*}
        cur=${cur#*=}
    fi

    case $prev in
    -s | --spec | -o | --output | --errors | --state | --rows)
        _fsfeat_files "$cur"
        return 0
        ;;
    --emit)
        mapfile -t COMPREPLY < <(compgen -W 'events rows' -- "$cur")
        return 0
        ;;
    -u | --time-unit)
        mapfile -t COMPREPLY < <(compgen -W 's ms us ns' -- "$cur")
        return 0
        ;;
    -t | --time-field | --into | --lateness | --max-errors | --regex | --checkpoint | --ttl)
        # a field path, a name, a duration, a number or a pattern: nothing to offer
        return 0
        ;;
    --online | --online-prefix | --online-timeout | --online-ttl)
        # a Redis URL, a key prefix or a duration: nothing to offer
        return 0
        ;;
    -h | --help | -V | --version)
        return 0
        ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts_long $opts_short" -- "$cur")
        # "--spec=" waits for its value on the same word
        if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi

    # input files: NDJSON, compressed or archived
    _fsfeat_files "$cur"
    return 0
} &&
    complete -F _fsfeat fsfeat

# ex: filetype=sh
