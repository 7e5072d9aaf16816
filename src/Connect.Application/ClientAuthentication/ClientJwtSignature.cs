using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connect.Application.ClientAuthentication;

/// <summary>
/// Verifies the RS256 signature of a client JWT with Microsoft.IdentityModel, and nothing else: every other
/// rule is checked by <see cref="ClientJwtPolicy"/> because the library is laxer than the contract.
/// </summary>
internal sealed class ClientJwtSignature
{
    // Key ids are thumbprints of the key material, so a cached key can never stand for different material.
    // Bounded so that a flood of registrations cannot grow it without limit.
    private const int MaxCachedKeys = 10_000;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, RsaSecurityKey> _keys = new(StringComparer.Ordinal);

    public async Task<bool> VerifyAsync(ClientJwt jwt, IReadOnlyList<ClientKey> activeKeys)
    {
        // A kid that names none of the active keys (unknown or retired) verifies against nothing.
        var candidates = jwt.KeyId is null
            ? activeKeys
            : activeKeys.Where(key => key.Id.Value == jwt.KeyId).ToList();
        if (candidates.Count == 0)
        {
            return false;
        }

        var parameters = new TokenValidationParameters
        {
            // RFC 8725 §3.1: the algorithm is fixed by the server, never taken from the token.
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeys = candidates.Select(ToSecurityKey).ToList(),
            TryAllIssuerSigningKeys = true,
            RequireSignedTokens = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireAudience = false,
            ValidateIssuerSigningKey = false,
            ValidateTokenReplay = false,
        };

        var result = await _handler.ValidateTokenAsync(jwt.Token, parameters).ConfigureAwait(false);
        return result.IsValid;
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
