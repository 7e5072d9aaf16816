namespace Connect.Application.ClientAuthentication;

/// <summary>
/// Verifies the RS256 signature of a client JWT with Microsoft.IdentityModel's signature provider, and nothing
/// else: every other rule is checked by <see cref="ClientJwtPolicy"/> because the library is laxer than the
/// contract. The reader has already decoded the signing input and the signature; the provider is the one the
/// key's factory caches, so a request costs one RSA verification and no parse or validation pipeline around it.
/// </summary>
internal sealed class ClientJwtSignature
{
    // Key ids are thumbprints of the key material, so a cached key can never stand for different material.
    // Bounded so that a flood of registrations cannot grow it without limit.
    private const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, RsaSecurityKey> _keys = new(StringComparer.Ordinal);

    public bool Verify(ClientJwt jwt, IReadOnlyList<ClientKey> activeKeys)
    {
        if (jwt.Signature.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < activeKeys.Count; i++)
        {
            // A kid that names none of the active keys (unknown or retired) verifies against nothing.
            var candidate = activeKeys[i];
            if ((jwt.KeyId is null || candidate.Id.Value == jwt.KeyId)
                && VerifyWith(ToSecurityKey(candidate), jwt.SigningInput, jwt.Signature))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 8725 §3.1: the algorithm is fixed by the server (RS256), never taken from the token.</summary>
    private static bool VerifyWith(RsaSecurityKey key, byte[] signingInput, byte[] signature)
    {
        var factory = key.CryptoProviderFactory;
        var provider = factory.CreateForVerifying(key, SecurityAlgorithms.RsaSha256);
        try
        {
            return provider.Verify(signingInput, signature);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            // A signature of the wrong length or shape is simply not a valid signature.
            return false;
        }
        finally
        {
            factory.ReleaseSignatureProvider(provider);
        }
    }

    private RsaSecurityKey ToSecurityKey(ClientKey key)
    {
        if (_keys.TryGetValue(key.Id.Value, out var cached))
        {
            return cached;
        }

        if (_keys.Count >= MaxCachedKeys)
        {
            _keys.Clear();
        }

        var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo.Span, out _);
        var created = new RsaSecurityKey(rsa) { KeyId = key.Id.Value };
        return _keys.GetOrAdd(key.Id.Value, created);
    }
}
