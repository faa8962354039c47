#!/bin/bash
# A script that forgot its header block: the server answers 502 Bad Gateway.
echo "Hello, but without any headers."
