namespace Connect.Api.Requests;

/// <summary>
/// Endpoint metadata: the body is read raw, bounded, before anything else looks at it (the client JWT signs it; a
/// session token in it is read from it), and it may be this large. A described endpoint's
/// <see cref="Endpoints.EndpointContract.Body"/> is one; the sign-in page's JSON calls, which are no part of the API,
/// declare theirs with <see cref="RawJsonBodyAttribute"/>.
/// </summary>
internal interface IRawJsonBodyLimit
{
    /// <summary>The endpoint's own limit in bytes; 0 is <see cref="RequestLimitsOptions.MaxBodyBytes"/>.</summary>
    int MaxBytes { get; }
}

/// <summary>The body limit of one of the sign-in page's JSON calls (the page is one controller of several actions).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RawJsonBodyAttribute(int maxBytes) : Attribute, IRawJsonBodyLimit
{
    public int MaxBytes { get; } = maxBytes;
}

/// <summary>The exact bytes of the request body, read once by <see cref="RawJsonBodyGate"/>.</summary>
internal sealed record RawJsonBody(ReadOnlyMemory<byte> Bytes);

/// <summary>Configuration section <c>Connect:Requests</c>.</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "Connect:Requests";

    /// <summary>
    /// The largest body accepted by an endpoint that names no limit of its own (<c>/revoke-all</c>): a subject is at
    /// most 255 characters, so a few KiB is plenty.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 4096;
}
