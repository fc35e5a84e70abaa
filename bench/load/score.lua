-- wrk script for bench/load.sh: POST /api/score with the JSON body in $SCORE_BODY.
wrk.method = "POST"
wrk.body = os.getenv("SCORE_BODY")
wrk.headers["Content-Type"] = "application/json"
