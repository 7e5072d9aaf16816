using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connect.Application.SessionTokens;
using Connect.Testing.ClientJwts;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connect.Application.Tests.SessionTokens;

/// <summary>
/// A token minted here verifies as any client verifies it: with the key rebuilt from the JWKS's <c>n</c> and
/// <c>e</c> alone, by a plain RS256 check and by an independent JOSE library (Microsoft.IdentityModel).
/// </summary>
public sealed class SessionTokenInteropTests : IDisposable
{
    private readonly SessionTokenHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Minted_tokens_verify_with_a_plain_RS256_check_under_the_key_built_from_n_and_e_alone()
    {
        using var fromJwks = KeyFrom(PublishedJwk());

        foreach (var token in new[] { _h.Access(), _h.Refresh() })
        {
            var signingInput = Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
            var signature = Base64Url.DecodeFromChars(ClientJwtTampering.Segment(token, 2));

            Assert.True(fromJwks.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            Assert.False(fromJwks.VerifyData(signingInput.Append((byte)'x').ToArray(), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
    }

    [Theory]
    [InlineData(SessionTokenCodec.AccessTokenType)]
    [InlineData(SessionTokenCodec.RefreshTokenType)]
    public async Task Minted_tokens_validate_with_an_independent_JOSE_library_given_the_published_JWK(string type)
    {
        var token = type == SessionTokenCodec.AccessTokenType ? _h.Access() : _h.Refresh();
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = new JsonWebKey(PublishedJwk()),
            ValidIssuer = SessionTokenHarness.Issuer,
            ValidAudience = SessionTokenHarness.Anchor.Value,
            ValidTypes = [type],
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            // The fake clock is in the past; times are the codec's own tests' concern.
            ValidateLifetime = false,
        };

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
        var tampered = await new JsonWebTokenHandler().ValidateTokenAsync(ClientJwtTampering.WithFlippedSignatureBit(token), parameters);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(_h.SigningKey.KeyId, ((JsonWebToken)result.SecurityToken).Kid);
        Assert.Equal(_h.SessionId, result.Claims["sid"]);
        Assert.False(tampered.IsValid);
    }

    [Fact]
    public void The_key_id_is_the_RFC_7638_thumbprint_the_library_computes_too()
    {
        var jwk = new JsonWebKey(PublishedJwk());

        Assert.Equal(_h.SigningKey.KeyId, Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()));
    }

    /// <summary>The key as GET /applications/{anchor}/jwks.json publishes it: six members, n and e unpadded base64url.</summary>
    private string PublishedJwk()
    {
        var parameters = _h.VerificationKey.PublicKey.ExportParameters(includePrivateParameters: false);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = Base64Url.EncodeToString(parameters.Modulus.AsSpan().TrimStart((byte)0)),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent.AsSpan().TrimStart((byte)0)),
            ["kid"] = _h.VerificationKey.KeyId,
            ["use"] = "sig",
            ["alg"] = "RS256",
        });
    }

    /// <summary>What a client does with a JWK: read n and e, nothing else, into an RSA public key.</summary>
    private static RSA KeyFrom(string jwk)
    {
        using var document = JsonDocument.Parse(jwk);
        var key = RSA.Create();
        key.ImportParameters(new RSAParameters
        {
            Modulus = Base64Url.DecodeFromChars(document.RootElement.GetProperty("n").GetString()),
            Exponent = Base64Url.DecodeFromChars(document.RootElement.GetProperty("e").GetString()),
        });
        return key;
    }
}
