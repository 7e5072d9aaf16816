namespace Connect.Cli.Demo;

/// <param name="Token">The compact JWS for the Authorization header.</param>
/// <param name="HeaderJson">Its decoded header, for a person to read.</param>
/// <param name="PayloadJson">Its decoded payload, for a person to read.</param>
internal sealed record MintedClientJwt(string Token, string HeaderJson, string PayloadJson)
{
    /// <summary>A client JWT as the SDKs mint it, naming its key by <c>kid</c> so the reader sees which key signed.</summary>
    public static MintedClientJwt Mint(string anchor, string keyId, RSA privateKey, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var token = ClientJwtMinter.Mint(anchor, privateKey, body, now, keyId);
        var segments = token.Split('.');
        return new MintedClientJwt(token, Decoded(segments[0]), Decoded(segments[1]));
    }

    private static string Decoded(string segment) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(segment));
}
