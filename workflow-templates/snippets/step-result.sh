# Step result helper for shell steps (docs/workflow-authoring.md, "The step result standard").
# POSIX sh; paste it into a step's script (or source it), then:
#
#     step_result_file "$key" SUCCESS        # once per input file, any key (quotes, '/', UTF-8)
#     step_result_write "$(step_result_overall)" "summarized 3 files"
#
# Values are only ever passed as arguments, never evaluated, so keys cannot inject code.
# --- step result helper ---
STEP_RESULT_PATH=${STEP_RESULT_PATH:-/tmp/result.json}
step_result_entries=''
step_result_seen=''

# Prints its argument as a JSON string (quotes, backslashes and control characters escaped).
step_result_json_string() {
  printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037' |
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$(printf '\t')/\\\\t/g" -e "s/$(printf '\r')/\\\\r/g" |
    awk 'BEGIN { ORS = ""; print "\"" } NR > 1 { print "\\n" } { print } END { print "\"" }'
}

step_result_check_status() {
  case $1 in
    SUCCESS | PARTIAL | FAILURE) return 0 ;;
    *) echo "step-result: not a step status: $1" >&2; return 1 ;;
  esac
}

# step_result_file KEY STATUS: records the status of one input file.
step_result_file() {
  step_result_check_status "$2" || return 1
  entry="$(step_result_json_string "$1"):\"$2\""
  step_result_entries="${step_result_entries:+$step_result_entries,}$entry"
  case " $step_result_seen " in *" $2 "*) ;; *) step_result_seen="$step_result_seen $2" ;; esac
}

# Prints the step's status from the files recorded so far: all alike, that status; a mix, PARTIAL; none, FAILURE.
step_result_overall() {
  set -- $step_result_seen
  if [ $# -eq 0 ]; then echo FAILURE; elif [ $# -eq 1 ]; then echo "$1"; else echo PARTIAL; fi
}

# step_result_write STATUS MESSAGE: writes the result file (atomically) with the recorded files.
step_result_write() {
  step_result_check_status "$1" || return 1
  printf '{"status":"%s","message":%s,"files":{%s}}\n' "$1" "$(step_result_json_string "$2")" \
    "$step_result_entries" > "$STEP_RESULT_PATH.partial" && mv "$STEP_RESULT_PATH.partial" "$STEP_RESULT_PATH"
}
# --- end of step result helper ---
