namespace Connect.Api.Requests;

/// <summary>
/// Marks an endpoint whose body is read raw, bounded, before anything else looks at it (the client JWT signs it; a
/// session token in it is read from it), and says how large that body may be.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RawJsonBodyAttribute : Attribute
{
    /// <summary>
    /// The limit of the endpoints whose body carries one session token: docs/contract/sessions.md allows a token of 4 KiB, and
    /// such a token, quoted in its JSON object, must reach the <c>400 InvalidBody</c> check rather than be refused
    /// as too large.
    /// </summary>
    public const int TokenBodyBytes = 8 * 1024;

    /// <summary>The endpoint's own limit in bytes; 0 (the default) is <see cref="RequestLimitsOptions.MaxBodyBytes"/>.</summary>
    public int MaxBytes { get; init; }

    /// <summary>The type whose JSON shape the body has, for the OpenAPI document (the action binds no parameter).</summary>
    public Type? Schema { get; init; }

    /// <summary>The body refuses members it does not name (the sign-in bodies), for the OpenAPI document.</summary>
    public bool RefusesUnknownMembers { get; init; }

    public int LimitOr(int configured) => MaxBytes > 0 ? MaxBytes : configured;
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
