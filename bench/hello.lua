-- wrk script for the baseline: GET /hello, report latency percentiles.
function done(summary, latency, requests)
	io.write(string.format("RESULT ok=%d other=0 errors=%d p50_ms=%.2f p99_ms=%.2f\n",
		summary.requests, summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.timeout + summary.errors.status,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
