namespace Connect.Application.Jwks;

public sealed class GetJwksHandler(SigningKeyRing ring) : IRequestHandler<GetJwksQuery, Outcome<JwksResult>>
{
    public async Task<Outcome<JwksResult>> Handle(GetJwksQuery request, CancellationToken cancellationToken)
    {
        var published = await ring.GetPublishedKeysAsync(new ApplicationAnchor(request.Anchor), cancellationToken).ConfigureAwait(false);
        return published is null
            ? ReasonCode.ApplicationNotFound
            : new JwksResult([.. published.Keys.Select(Jwk)]);
    }

    private static PublicSigningJwk Jwk(TokenVerificationKey key)
    {
        var parameters = key.PublicKey.ExportParameters(includePrivateParameters: false);
        return new PublicSigningJwk(Unsigned(parameters.Modulus!), Unsigned(parameters.Exponent!), key.KeyId);
    }

    /// <summary>RFC 7518 §6.3.1: the big-endian integer in as few octets as it needs, base64url without padding.</summary>
    private static string Unsigned(byte[] integer)
    {
        var start = 0;
        while (start < integer.Length - 1 && integer[start] == 0)
        {
            start++;
        }

        return Base64Url.EncodeToString(integer.AsSpan(start));
    }
}
