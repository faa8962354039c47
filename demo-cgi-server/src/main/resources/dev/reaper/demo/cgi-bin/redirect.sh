#!/bin/bash
# Sends the client elsewhere, with a Location header and no Status (the server makes it a 302): redirect.sh?to=/status

. "${0%/*}/.lib/query.bash" # param NAME: a query parameter, decoded

to=$(param to)
printf 'Location: %s\r\n\r\n' "${to:-/}"
