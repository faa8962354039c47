# Sourced by the example scripts (not a script: the server runs files, and this sits in a directory).

# param NAME: the value of NAME in the query string, %-decoded ("" if absent)
param() {
  local pair value pairs
  IFS='&' read -r -a pairs <<< "$QUERY_STRING"
  for pair in "${pairs[@]}"; do
    if [[ $pair == "$1="* ]]; then
      value=${pair#*=}
      value=${value//+/ }
      printf "%b" "${value//%/\\x}"
      return
    fi
  done
}
