# bash completion for fsscore(1)                           -*- shell-script -*-
#
# The options are those of `fsscore --help`; tests/cli/options-agree.sh checks
# that the two lists below name the same ones.

# Files, also with spaces in their names; bash-completion's _filedir when loaded.
# With extensions (json, or json|pt), the files ending in one and the
# directories come first, and any file when none matches.
_fsscore_files()
{
    if declare -F _filedir >/dev/null; then
        [[ $2 ]] && _filedir "@($2)"
        ((${#COMPREPLY[@]})) || _filedir
    else
        compopt -o filenames 2>/dev/null
        local ext
        [[ $2 ]] && mapfile -t COMPREPLY < <({
            for ext in ${2//|/ }; do
                compgen -f -X "!*.$ext" -- "$1"
            done
            compgen -d -- "$1"
        } | sort -u)
        ((${#COMPREPLY[@]})) || mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_fsscore()
{
    local cur prev
    local opts_long='--algorithm= --alpha= --auc-window= --batch= --batch-wait= --beta= --challenger= --check --clip= --endpoint= --errors= --features= --from= --hash= --hash-bits= --help --inflight= --kcat --l1= --l2= --label= --learn --loss= --max-body= --max-errors= --min-rate= --model= --name= --on-error= --output= --progress= --progress-every= --protocol= --quiet --regex= --retries= --retry-wait= --save= --save-every= --schedule= --serve= --shadow= --split= --split-key= --split-seed= --strict --suffix= --threads= --threshold= --timeout= --version --watch'
    local opts_short='-h -m -o -q -V'

    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--model=fr": bash splits at "=" (COMP_WORDBREAKS), giving "--model" "=" "fr".
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        # COMP_WORDBREAKS without "=": the option and its value in one word.
        prev=${cur%%=*}
        cur=${cur#*=}
    fi

    # --on-error fallback:FILE: bash splits at ":" too (COMP_WORDBREAKS),
    # giving "fallback" ":" "fr"; without that split, one word.
    local w= opt= k=-1
    if [[ $cur == : ]]; then
        cur=
        k=$((COMP_CWORD - 1))
    elif [[ $prev == : ]]; then
        k=$((COMP_CWORD - 2))
    fi
    if ((k > 1)); then
        w=${COMP_WORDS[k]}
        opt=${COMP_WORDS[k - 1]}
        [[ $opt == = ]] && ((k > 2)) && opt=${COMP_WORDS[k - 2]}
        if [[ $w == fallback && $opt == --on-error ]]; then
            _fsscore_files "$cur" json
            return 0
        fi
    fi
    if [[ $prev == --on-error && $cur == fallback:* ]]; then
        local rest=${cur#fallback:}
        _fsscore_files "$rest" json
        # the word keeps its "fallback:"
        COMPREPLY=("${COMPREPLY[@]/#/fallback:}")
        return 0
    fi

    case $prev in
    -m | --model | --shadow | --challenger)
        # XGBoost JSON, fstools-linear or TorchScript: *.json and *.pt first,
        # any file allowed
        _fsscore_files "$cur" 'json|pt'
        return 0
        ;;
    --save)
        # --learn writes fstools-linear: *.json first, any file allowed
        _fsscore_files "$cur" json
        return 0
        ;;
    -o | --output | --errors | --progress)
        _fsscore_files "$cur"
        return 0
        ;;
    --algorithm)
        mapfile -t COMPREPLY < <(compgen -W 'ftrl adagrad sgd' -- "$cur")
        return 0
        ;;
    --loss)
        mapfile -t COMPREPLY < <(compgen -W 'log squared' -- "$cur")
        return 0
        ;;
    --schedule)
        mapfile -t COMPREPLY < <(compgen -W 'invsqrt constant' -- "$cur")
        return 0
        ;;
    --protocol)
        mapfile -t COMPREPLY < <(compgen -W 'v2 tfserving' -- "$cur")
        return 0
        ;;
    --on-error)
        # fallback: waits for its model file on the same word
        mapfile -t COMPREPLY < <(compgen -W 'fail null fallback:' -- "$cur")
        if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
        ;;
    --from | --features | --threshold | --max-errors | --regex | --suffix | --label | --hash | \
        --hash-bits | --alpha | --beta | --l1 | --l2 | --min-rate | --clip | --save-every | \
        --progress-every | --auc-window | --endpoint | --serve | --name | --threads | \
        --max-body | --inflight | --batch | --batch-wait | --timeout | --retries | --retry-wait | \
        --split | --split-key | --split-seed)
        # an object name, a list of names, a field, a number, a duration, a
        # URL, an address or a pattern: nothing to offer
        return 0
        ;;
    -h | --help | -V | --version)
        return 0
        ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts_long $opts_short" -- "$cur")
        # "--model=" waits for its value on the same word
        if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi

    # input files: NDJSON, compressed or archived
    _fsscore_files "$cur"
    return 0
} &&
    complete -F _fsscore fsscore

# ex: filetype=sh
