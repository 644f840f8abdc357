-- wrk script: POST pre-signed, distinct webhook requests read from the
-- file named by the first script argument ("<signature>\t<body>" lines),
-- each of the N wrk threads (second argument) taking every Nth line
-- from line OFFSET on (third argument, default 0), at most MAX lines
-- each (fourth argument, default 100000: more than a 6 s run sends,
-- and reading stops there), and count the 200 answers.  There is no response() callback: wrk would build a Lua
-- table per response, making the client dearer than for the hello
-- baseline on the same two cores.  The endpoint answers 200 or an
-- error status (>= 400), which wrk counts in errors.status.
local nthreads = 0

function setup(thread)
	thread:set("id", nthreads)
	nthreads = nthreads + 1
end

function init(args)
	local n = tonumber(args[2])
	local offset = tonumber(args[3] or "0")
	local max = tonumber(args[4] or "100000")
	reqs = {}
	local i = 0
	for line in io.lines(args[1]) do
		if #reqs >= max then
			break
		end
		if i >= offset and i % n == id then
			local tab = string.find(line, "\t", 1, true)
			local sig = string.sub(line, 1, tab - 1)
			local body = string.sub(line, tab + 1)
			table.insert(reqs, wrk.format("POST", "/webhook", {
				["Content-Type"] = "application/json",
				["X-Hub-Signature-256"] = sig,
			}, body))
		end
		i = i + 1
	end
	counter = 0
end

function request()
	counter = counter + 1
	return reqs[(counter - 1) % #reqs + 1]
end

function done(summary, latency, requests)
	-- wrk counts every status over 399 as a status error; this
	-- endpoint answers 200 or an error status, nothing else.
	local x = summary.errors.status
	local o = summary.requests - x
	io.write(string.format("RESULT ok=%d other=%d errors=%d p50_ms=%.2f p99_ms=%.2f\n",
		o, x, summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.timeout,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
