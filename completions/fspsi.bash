# bash completion for fspsi(1)                             -*- shell-script -*-
#
# The options are those of `fspsi --help`; tests/cli/options-agree.sh checks
# that the two lists below name the same ones.

# Files, also with spaces in their names; bash-completion's _filedir when loaded.
# With an extension (json), the files ending in it and the directories come
# first, and any file when none matches.
_fspsi_files()
{
    if declare -F _filedir >/dev/null; then
        [[ $2 ]] && _filedir "$2"
        ((${#COMPREPLY[@]})) || _filedir
    else
        compopt -o filenames 2>/dev/null
        [[ $2 ]] && mapfile -t COMPREPLY < <({
            compgen -f -X "!*.$2" -- "$1"
            compgen -d -- "$1"
        } | sort -u)
        ((${#COMPREPLY[@]})) || mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_fspsi()
{
    local cur prev
    local opts_long='--alert= --baseline= --bins= --errors= --fields= --fit --format= --from= --help --kcat --max-errors= --output= --regex= --report= --time-field= --time-unit= --version --warn= --window='
    local opts_short='-b -h -o -t -u -V -w'

    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--baseline=ba": bash splits at "=" (COMP_WORDBREAKS), giving "--baseline" "=" "ba".
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
    -b | --baseline)
        # a baseline from fspsi --fit: *.json first, any file allowed
        _fspsi_files "$cur" json
        return 0
        ;;
    --report)
        # the HTML report: *.html first, any file allowed
        _fspsi_files "$cur" html
        return 0
        ;;
    -o | --output | --errors)
        _fspsi_files "$cur"
        return 0
        ;;
    --format)
        mapfile -t COMPREPLY < <(compgen -W 'ndjson table' -- "$cur")
        return 0
        ;;
    -u | --time-unit)
        mapfile -t COMPREPLY < <(compgen -W 's ms us ns' -- "$cur")
        return 0
        ;;
    -t | --time-field | --fields | --from | -w | --window | --bins | --warn | --alert | --max-errors | --regex)
        # a field path, names, a count or duration, a number or a pattern: nothing to offer
        return 0
        ;;
    -h | --help | -V | --version)
        return 0
        ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts_long $opts_short" -- "$cur")
        # "--baseline=" waits for its value on the same word
        if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi

    # input files: NDJSON, compressed or archived
    _fspsi_files "$cur"
    return 0
} &&
    complete -F _fspsi fspsi

# ex: filetype=sh
