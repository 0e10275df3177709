# bash completion for fsjoin(1)                            -*- shell-script -*-
#
# The options are those of `fsjoin --help`; tests/cli/options-agree.sh checks
# that the two lists below name the same ones.

# Files, also with spaces in their names; bash-completion's _filedir when loaded.
_fsjoin_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_fsjoin()
{
    local cur prev
    local opts_long='--as-of= --asof= --backfill= --errors= --features= --help --into= --kcat --key= --max-errors= --online= --online-prefix= --online-timeout= --online-ttl= --output= --regex= --strict --table= --time-field= --time-unit= --ttl= --version'
    local opts_short='-a -h -k -o -t -u -V'

    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--asof=us": bash splits at "=" (COMP_WORDBREAKS), giving "--asof" "=" "us".
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
    -a | --asof | --table | --backfill)
        # a right side, or the rows of a backfill: NDJSON, compressed or archived
        _fsjoin_files "$cur"
        return 0
        ;;
    -o | --output | --errors)
        _fsjoin_files "$cur"
        return 0
        ;;
    -u | --time-unit)
        mapfile -t COMPREPLY < <(compgen -W 's ms us ns' -- "$cur")
        return 0
        ;;
    -k | --key | -t | --time-field | --into | --ttl | --max-errors | --regex)
        # field paths, a name, a duration, a number or a pattern: nothing to offer
        return 0
        ;;
    --online | --online-prefix | --online-timeout | --online-ttl | --features | --as-of)
        # a Redis URL, a key prefix, a duration, feature names or a time: nothing to offer
        return 0
        ;;
    -h | --help | -V | --version)
        return 0
        ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts_long $opts_short" -- "$cur")
        # "--asof=" waits for its value on the same word
        if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi

    # the spine: NDJSON, compressed or archived
    _fsjoin_files "$cur"
    return 0
} &&
    complete -F _fsjoin fsjoin

# ex: filetype=sh
