namespace Connect.Cli.Cluster;

/// <summary>
/// haproxy in front of the instances: round robin, an HTTP check of <c>/health</c> every half second (an
/// instance whose database has no writable primary is taken out), a failed connection retried once on
/// another instance (it never reached one, so nothing happened), and one request per client connection. When no
/// instance is ready, or the instance died with the request (a killed instance: haproxy's 502), haproxy answers the contract's own
/// <c>503 {"reason":"ServiceUnavailable"}</c> with <c>Retry-After</c>, never its HTML page: revoke-all is
/// idempotent, so retrying with a new client JWT is always safe (docs/decisions.md). Each request carries the
/// client's address in <c>X-Forwarded-For</c>, which the instances trust from haproxy alone.
/// </summary>
internal static class HaproxyConfiguration
{
    public static string Render(ClusterLayout layout, string errorFile)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"""
            global
                maxconn 4096

            http-errors connect-errors
                errorfile 502 {errorFile}
                errorfile 503 {errorFile}
                errorfile 504 {errorFile}

            defaults
                mode http
                errorfiles connect-errors
                option redispatch
                # The instances trust this address's X-Forwarded-For (Connect:RateLimit:TrustedProxies), so each
                # client spends its own budget per address rather than all of them haproxy's.
                option forwardfor
                # One request per client connection. On a kept-alive client connection that already carried a
                # request, haproxy answers a server that died before answering (a killed instance) by closing the
                # client's connection without a word, HTTP/1.1's "retry me" for a request that was never processed;
                # but this one may have been, and the contract's answer for that is 503 with Retry-After. On a
                # client connection's first request haproxy answers it 502, which the errorfile below makes that 503.
                option httpclose
                retries 1
                timeout connect 1s
                timeout client 30s
                timeout server 30s
                timeout queue 5s

            frontend front
                bind {ClusterLayout.FrontHost}:{ClusterLayout.FrontPort}
                default_backend instances

            backend instances
                balance roundrobin
                # A request sent on a reused connection to an instance that just died is not retried and
                # haproxy closes the client's connection without an answer; a fresh connection per request
                # turns that death into a refused connect (retried elsewhere) or a 502 (answered as 503).
                http-reuse never
                option httpchk GET /health
                http-check expect status 200
            """);
        for (var index = 0; index < ClusterLayout.InstanceCount; index++)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"    server instance{index + 1} {ClusterLayout.FrontHost}:{ClusterLayout.InstancePort(index)} check inter 500ms fall 1 rise 2");
        }

        return text.ToString();
    }

    /// <summary>The raw HTTP answer haproxy sends when no instance can take a request.</summary>
    public static string ServiceUnavailableAnswer()
    {
        const string body = """{"reason":"ServiceUnavailable"}""";
        return string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 5\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
    }
}
