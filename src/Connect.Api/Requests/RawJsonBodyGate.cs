namespace Connect.Api.Requests;

/// <summary>
/// The first checks of the contract, before anything is authenticated: body size (the endpoint's own limit,
/// <see cref="IRawJsonBodyLimit.MaxBytes"/>), then media type; then the body is read once, bounded, and kept as
/// <see cref="RawJsonBody"/> for the client-JWT hash and the parser.
/// </summary>
internal sealed class RawJsonBodyGate(RequestDelegate next, IOptions<RequestLimitsOptions> options)
{
    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRawJsonBodyLimit>() is not { } endpoint)
        {
            await next(context);
            return;
        }

        var maxBodyBytes = endpoint.MaxBytes > 0 ? endpoint.MaxBytes : _maxBodyBytes;
        var request = context.Request;
        if (request.ContentLength > maxBodyBytes)
        {
            await ReasonResponse.WriteAsync(context, ReasonCode.BodyTooLarge);
            return;
        }

        if (!IsJsonWithoutEncoding(request))
        {
            await ReasonResponse.WriteAsync(context, ReasonCode.UnsupportedMediaType);
            return;
        }

        // The bound is ours, on body bytes only: Kestrel's MaxRequestBodySize counts chunked framing too, so
        // set to this limit it refused chunked bodies well within it (4000 bytes in 7-byte chunks).
        var body = await ReadBoundedAsync(request.Body, maxBodyBytes, context.RequestAborted);
        if (!body.Succeeded)
        {
            await ReasonResponse.WriteAsync(context, body.Failure);
            return;
        }

        context.Features.Set(new RawJsonBody(body.Value));
        await next(context);
    }

    /// <summary>
    /// <c>application/json</c>, optionally with <c>charset=utf-8</c> and nothing else; and no
    /// Content-Encoding at all (a compressed body could expand past every limit).
    /// </summary>
    private static bool IsJsonWithoutEncoding(HttpRequest request)
    {
        if (request.Headers.ContentEncoding.Count > 0
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var parameter in mediaType.Parameters)
        {
            var isUtf8Charset = parameter.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)
                && HeaderUtilities.RemoveQuotes(parameter.Value).Equals("utf-8", StringComparison.OrdinalIgnoreCase);
            if (!isUtf8Charset)
            {
                return false;
            }
        }

        return true;
    }

    /// <returns>
    /// The body; <c>BodyTooLarge</c> when it is longer than <paramref name="limit"/>; <c>InvalidBody</c> when Kestrel
    /// could not read it as framed (bad chunk framing, fewer bytes than <c>Content-Length</c> before the client
    /// stopped sending, bytes arriving below the minimum data rate). Those are the client's doing: a 400 with the
    /// contract's reason, logged as any refusal is, never the private 500 and an error with a stack trace.
    /// </returns>
    /// <remarks>
    /// The read buffer is rented: a request allocates its body's own bytes, not the limit. What the buffer held is
    /// wiped before it goes back to the pool, so no body outlives its request in memory that others borrow.
    /// </remarks>
    private static async Task<Outcome<byte[]>> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        var length = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    return ReasonCode.BodyTooLarge;
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        catch (BadHttpRequestException exception)
        {
            return exception.StatusCode == StatusCodes.Status413PayloadTooLarge ? ReasonCode.BodyTooLarge : ReasonCode.InvalidBody;
        }
        finally
        {
            buffer.AsSpan(0, length).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
