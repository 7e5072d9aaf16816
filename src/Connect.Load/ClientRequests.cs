namespace Connect.Load;

/// <summary>
/// The calls a load sends, as the official SDKs make them: the path, the JSON body and, for a signed call, the
/// Authorization header with a fresh client JWT from the service's own <see cref="ClientJwtMinter"/>. The drill
/// sends them with HttpClient, the bench writes them on raw sockets; both build them here.
/// </summary>
public static class ClientRequests
{
    public const string RevokeAllPath = "/revoke-all";

    public const string RefreshPath = "/refresh";

    /// <summary>The Authorization scheme of a client JWT.</summary>
    public const string Scheme = "SudomimusClientJWT";

    /// <summary><c>{"subject":"..."}</c>.</summary>
    public static byte[] RevokeAllBody(string subject) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["subject"] = subject });

    /// <summary><c>{"refreshToken":"..."}</c>.</summary>
    public static byte[] RefreshBody(string refreshToken) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["refreshToken"] = refreshToken });

    /// <summary>The Authorization header's value for <paramref name="body"/>, signed now by <paramref name="key"/>.</summary>
    /// <param name="keyId">The <c>kid</c> to name, or none (the SDKs that sign with one key name none).</param>
    public static string Authorization(string anchor, RSA key, ReadOnlySpan<byte> body, DateTimeOffset issuedAt, string? keyId = null) =>
        Authorization(ClientJwtMinter.Mint(anchor, key, body, issuedAt, keyId));

    /// <summary>The Authorization header's value carrying <paramref name="clientJwt"/>.</summary>
    public static string Authorization(string clientJwt) => $"{Scheme} {clientJwt}";
}
