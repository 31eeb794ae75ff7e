-- POST a lease checkout with a JSON body (wrk -s bench/lease.lua)
wrk.method = "POST"
wrk.body = '{"ttl":60}'
wrk.headers["Content-Type"] = "application/json"
