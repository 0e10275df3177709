# bash completion for fsgroundtruth(1)                     -*- shell-script -*-
#
# The options are those of `fsgroundtruth --help`; tests/cli/options-agree.sh
# checks that the two lists below name the same ones.

# Files, also with spaces in their names; bash-completion's _filedir when loaded.
_fsgroundtruth_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

# The start of an alert rule: a metric of the metrics record (or of the compare
# record) and the operator that usually watches it; the number is the user's. "<" and ">" are
# redirections to the shell, so the rule is offered escaped (recall\<), or,
# when the word was begun with a quote, inside that quote ('recall<).
_fsgroundtruth_alert()
{
    local rules='recall< precision< f1< accuracy< roc_auc< pr_auc< f1_macro< labeled_share< log_loss> brier> ece> delay_p50> delay_p95> late_labels> duplicate_labels> predictions< challenger_auc_delta< challenger_auc_delta_hi< challenger_roc_auc< challenger_recall< p_value<'
    local q= word rule
    case $1 in
    \'* | \"*) q=${1:0:1} ;;
    esac
    # what was typed, without its quote or backslashes
    word=${1#"$q"}
    word=${word//\\/}
    COMPREPLY=()
    for rule in $rules; do
        [[ $rule == "$word"* ]] || continue
        if [[ $q ]]; then
            COMPREPLY+=("$q$rule")
        else
            rule=${rule//</\\<}
            COMPREPLY+=("${rule//>/\\>}")
        fi
    done
    # the limit follows on the same word
    compopt -o nospace 2>/dev/null
}

_fsgroundtruth()
{
    local cur prev
    local opts_long='--absent-label= --alert= --alpha= --arms= --checkpoint= --classes= --compare= --compare-scores= --emit= --errors= --help --horizon= --id= --kcat --label-field= --label-time-field= --labels= --maturity= --max-errors= --min-labels= --output= --provisional --regex= --score-field= --spending= --state= --threshold= --time-field= --time-unit= --version --window='
    local opts_short='-h -l -o -t -u -V -w'

    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--labels=la": bash splits at "=" (COMP_WORDBREAKS), giving "--labels" "=" "la".
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
    -l | --labels)
        # the labels: NDJSON, compressed, or a FIFO
        _fsgroundtruth_files "$cur"
        return 0
        ;;
    -o | --output | --errors | --state)
        _fsgroundtruth_files "$cur"
        return 0
        ;;
    --emit)
        mapfile -t COMPREPLY < <(compgen -W 'joined' -- "$cur")
        return 0
        ;;
    --alert)
        _fsgroundtruth_alert "$cur"
        return 0
        ;;
    --maturity)
        # how long labels take: a few usual durations
        mapfile -t COMPREPLY < <(compgen -W '7d 14d 30d 60d 90d' -- "$cur")
        return 0
        ;;
    -w | --window)
        # a duration of prediction time, or a number of predictions (typed)
        mapfile -t COMPREPLY < <(compgen -W '1h 1d 1w' -- "$cur")
        return 0
        ;;
    -u | --time-unit)
        mapfile -t COMPREPLY < <(compgen -W 's ms us ns' -- "$cur")
        return 0
        ;;
    --compare)
        # the field fsscore --challenger writes
        mapfile -t COMPREPLY < <(compgen -W 'arm' -- "$cur")
        return 0
        ;;
    --compare-scores)
        # the scores fsscore --shadow writes
        mapfile -t COMPREPLY < <(compgen -W 'score,score_shadow' -- "$cur")
        return 0
        ;;
    --spending)
        mapfile -t COMPREPLY < <(compgen -W 'obf pocock fixed none' -- "$cur")
        return 0
        ;;
    --id | --label-field | --label-time-field | --score-field | -t | --time-field | --classes | --absent-label | --threshold | --checkpoint | --max-errors | --regex | \
        --arms | --alpha | --min-labels | --horizon)
        # field paths, names, a label, a number or a pattern: nothing to offer
        return 0
        ;;
    -h | --help | -V | --version)
        return 0
        ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts_long $opts_short" -- "$cur")
        # "--labels=" waits for its value on the same word
        if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi

    # the predictions: NDJSON, compressed or archived
    _fsgroundtruth_files "$cur"
    return 0
} &&
    complete -F _fsgroundtruth fsgroundtruth

# ex: filetype=sh
