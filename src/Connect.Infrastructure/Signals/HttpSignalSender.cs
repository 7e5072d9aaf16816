namespace Connect.Infrastructure.Signals;

/// <summary>
/// Sends a signal over the named client <see cref="ClientName"/> (docs/contract/signals.md "The two forms" and
/// "Receivers"): a logout token as a form, a SET as <c>application/secevent+jwt</c> (RFC 8935 §2). The client
/// follows no redirect, uses no proxy and no cookies, and connects through <see cref="ConnectAsync"/>, which resolves
/// the host once, refuses it unless every address it resolved to is allowed, and connects to those very addresses.
/// The answer's status and <c>Retry-After</c> are all that is read: its body is never read, and at most a few
/// kilobytes of it are drained before the connection is dropped.
/// </summary>
internal sealed class HttpSignalSender(
    IHttpClientFactory clients, IOptions<SignalOptions> options) : ISignalSender
{
    public const string ClientName = "Connect.Signals";

    /// <summary>What may be drained of an unread answer body to keep the connection; beyond it the connection is dropped.</summary>
    internal const int MaxDrainBytes = 4 * 1024;

    private static readonly MediaTypeHeaderValue SecurityEventToken = new("application/secevent+jwt");

    private readonly TimeSpan _timeout = TimeSpan.FromSeconds(options.Value.DeliveryTimeoutSeconds);

    /// <summary>The primary handler of the named client: everything that keeps a receiver URL from reaching elsewhere.</summary>
    internal static SocketsHttpHandler CreateHandler(IReceiverHostResolver resolver, SignalOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(options.DeliveryTimeoutSeconds),
        MaxResponseDrainSize = MaxDrainBytes,
        MaxResponseHeadersLength = 16,
        // A pooled connection stays with the address checked when it was made; this bounds how long a host's old
        // address is used after its DNS changes.
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(resolver, options.AllowLoopbackReceivers, context, cancellationToken),
    };

    public async Task<DeliveryAttempt> SendAsync(string url, SignalFormat format, string token, CancellationToken cancellationToken)
    {
        if (UrlProblem(url) is { } problem)
        {
            return new DeliveryAttempt.Refused(problem);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, UriKind.Absolute)) { Content = Body(format, token) };
        if (format == SignalFormat.Caep)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            // Headers only: the body stays unread, so a huge or endless answer costs nothing.
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return new DeliveryAttempt.Answered((int)response.StatusCode, RetryAfterOf(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryAttempt.TimedOut();
        }
        catch (HttpRequestException failure) when (Find<ReceiverAddressRefusedException>(failure) is { } refused)
        {
            return new DeliveryAttempt.Refused(refused.Message);
        }
        catch (HttpRequestException failure)
        {
            return new DeliveryAttempt.ConnectionFailed(Describe(failure));
        }
    }

    /// <summary>
    /// The URL rule again at send time (a row may predate a stricter rule, or have been written by hand): absolute,
    /// https, or http only to a loopback address (which <see cref="ConnectAsync"/> checks on what the host resolves
    /// to); no user info.
    /// </summary>
    internal static string? UrlProblem(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
        {
            return "url not allowed";
        }

        return null;
    }

    /// <summary>
    /// Resolves the host once (or takes its IP literal), refuses unless EVERY address is allowed by the receiver
    /// address rule (and, for plain http, is loopback), then connects to the checked addresses in turn, never to the
    /// name: a host that re-resolves elsewhere between the check and the connection cannot slip through.
    /// </summary>
    internal static async ValueTask<Stream> ConnectAsync(
        IReceiverHostResolver resolver, bool allowLoopback, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await resolver.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        var plainHttp = context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttp;
        foreach (var address in addresses)
        {
            if (!ReceiverAddresses.Allows(address, allowLoopback))
            {
                throw new ReceiverAddressRefusedException(
                    ReceiverAddresses.Classify(address) == ReceiverAddressKind.Loopback
                        ? "address not allowed: loopback"
                        : "address not allowed: private or reserved");
            }

            if (plainHttp && ReceiverAddresses.Classify(address) != ReceiverAddressKind.Loopback)
            {
                throw new ReceiverAddressRefusedException("url not allowed: http to a non-loopback address");
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException failure)
            {
                socket.Dispose();
                last = failure;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private static HttpContent Body(SignalFormat format, string token) => format switch
    {
        // Back-Channel Logout 1.0 §2.5: the logout_token form parameter.
        SignalFormat.BackchannelLogout => new FormUrlEncodedContent([new KeyValuePair<string, string>("logout_token", token)]),
        SignalFormat.Caep => new StringContent(token, System.Text.Encoding.ASCII) { Headers = { ContentType = SecurityEventToken } },
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private static string? RetryAfterOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null;

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The failure in a few words for <c>last_outcome</c>: the socket error or the kind of failure, never a URL.</summary>
    private static string Describe(HttpRequestException failure)
    {
        if (Find<SocketException>(failure) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                SocketError.TimedOut => "timeout",
                SocketError.ConnectionReset => "connection reset",
                var code => $"connection failed: {code}",
            };
        }

        if (Find<AuthenticationException>(failure) is not null)
        {
            return "tls failed";
        }

        return failure.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => "connection closed before an answer",
            HttpRequestError.InvalidResponse => "invalid answer",
            HttpRequestError.ConfigurationLimitExceeded => "answer headers too large",
            var error => $"connection failed: {error}",
        };
    }
}

/// <summary>The host resolved to an address the receiver rule forbids: nothing was connected to.</summary>
internal sealed class ReceiverAddressRefusedException(string message) : Exception(message);
