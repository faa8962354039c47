#!/bin/bash
# Answers with the status the query asks for, through the Status header: status.sh?code=418

. "${0%/*}/.lib/query.bash" # param NAME: a query parameter, decoded

code=$(param code)
[[ $code =~ ^[2-5][0-9][0-9]$ ]] || code=400
printf 'Status: %s Chosen by the script\r\nContent-Type: text/plain\r\nX-Script: status.sh\r\n\r\n' "$code"
echo "status $code, as asked"
