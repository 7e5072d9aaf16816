namespace Connect.Api.Requests;

/// <summary>Marks an endpoint whose body is read raw, bounded, before authentication (the client JWT signs it).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RawJsonBodyAttribute : Attribute;

/// <summary>The exact bytes of the request body, read once by <see cref="RawJsonBodyGate"/>.</summary>
internal sealed record RawJsonBody(ReadOnlyMemory<byte> Bytes);

/// <summary>Configuration section <c>Connect:Requests</c>.</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "Connect:Requests";

    /// <summary>The largest body accepted; a subject is at most 255 characters, so a few KiB is plenty.</summary>
    public int MaxBodyBytes { get; set; } = 4096;
}
