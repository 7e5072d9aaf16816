using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// The algorithm and the key: only RS256 over a registered, active key of the named application. The server
/// never takes a key from the token (jwk, x5c), never fetches one (jku, x5u: proven by a loopback listener that
/// must see no connection), and treats kid as an opaque name compared in memory.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed class AlgorithmAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task Alg_none_in_any_case_with_an_empty_signature_is_rejected(string alg)
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["alg"] = alg;

        await AssertRejectedAsync(victim, jwt.WithSignature(_ => []), "ClientJwtAlgorithmRejected");
    }

    [Fact]
    public async Task Alg_none_carrying_a_genuine_RS256_signature_is_rejected()
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["alg"] = "none";

        await AssertRejectedAsync(victim, jwt.Sign(), "ClientJwtAlgorithmRejected");
    }

    [Theory]
    [InlineData("HS256", "spki")]
    [InlineData("HS256", "pem")]
    [InlineData("HS256", "pkcs1")]
    [InlineData("HS256", "modulus")]
    [InlineData("HS384", "pem")]
    [InlineData("HS512", "spki")]
    public async Task HMAC_keyed_with_the_registered_public_key_is_rejected(string alg, string keyForm)
    {
        // Key confusion: the public key is public, so an HMAC under it proves nothing (RFC 8725 §2.1).
        var victim = await target.NewVictimAsync();
        var key = target.App.Key;
        var secret = keyForm switch
        {
            "spki" => key.ExportSubjectPublicKeyInfo(),
            "pem" => Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem()),
            "pkcs1" => key.ExportRSAPublicKey(),
            _ => key.ExportParameters(false).Modulus!,
        };
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["alg"] = alg;

        var token = jwt.WithSignature(input => alg switch
        {
            "HS256" => HMACSHA256.HashData(secret, input),
            "HS384" => HMACSHA384.HashData(secret, input),
            _ => HMACSHA512.HashData(secret, input),
        });

        await AssertRejectedAsync(victim, token, "ClientJwtAlgorithmRejected");
    }

    [Theory]
    [InlineData("RS384")]
    [InlineData("RS512")]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    [InlineData("EdDSA")]
    [InlineData("RSA-OAEP")]
    [InlineData("dir")]
    [InlineData("rs256")]
    [InlineData("RS256 ")]
    [InlineData(" RS256")]
    [InlineData("RS256\u0000")]
    [InlineData("")]
    public async Task Every_algorithm_but_RS256_is_rejected_even_with_a_signature_made_for_it(string alg)
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["alg"] = alg;

        var token = jwt.WithSignature(input => SignAs(alg, input));

        await AssertRejectedAsync(victim, token, "ClientJwtAlgorithmRejected");
    }

    [Theory]
    [InlineData("attacker")]
    [InlineData("registered")]
    public async Task Embedded_jwk_is_malformed_whoever_signed(string signer)
    {
        using var attacker = RSA.Create(2048);
        var key = signer == "attacker" ? attacker : target.App.Key;
        var parameters = key.ExportParameters(false);
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Key = key;
        jwt.Header["jwk"] = new JsonObject
        {
            ["kty"] = "RSA",
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };

        await AssertRejectedAsync(victim, jwt.Sign(), "ClientJwtMalformed");
    }

    [Fact]
    public async Task Embedded_x5c_certificate_is_malformed()
    {
        using var attacker = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=attacker", attacker, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Key = attacker;
        jwt.Header["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData));

        await AssertRejectedAsync(victim, jwt.Sign(), "ClientJwtMalformed");
    }

    [Theory]
    [InlineData("jku", "attacker")]
    [InlineData("jku", "registered")]
    [InlineData("x5u", "attacker")]
    [InlineData("x5u", "registered")]
    public async Task Key_url_is_malformed_and_never_fetched(string parameter, string signer)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/keys.json";
        using var attacker = RSA.Create(2048);
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Key = signer == "attacker" ? attacker : target.App.Key;
        jwt.Header[parameter] = url;

        await AssertRejectedAsync(victim, jwt.Sign(), "ClientJwtMalformed");

        // A fetch, even a late one from a background refresh, would show as a pending connection.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(listener.Pending(), $"the server connected to {url}");
    }

    [Theory]
    [InlineData("../../../../../../etc/passwd")]
    [InlineData("/dev/null")]
    [InlineData("file:///etc/passwd")]
    [InlineData("' OR '1'='1")]
    [InlineData("x'; DROP TABLE application_keys; --")]
    [InlineData("%")]
    [InlineData("*")]
    [InlineData("")]
    [InlineData("\u0000")]
    [InlineData("{registered}\u0000")]
    [InlineData("{registered} ")]
    [InlineData("{registered-upper}")]
    public async Task Hostile_kid_names_no_active_key_so_the_genuine_signature_verifies_against_nothing(string kid)
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["kid"] = kid
            .Replace("{registered-upper}", target.App.KeyId.Value.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{registered}", target.App.KeyId.Value, StringComparison.Ordinal);

        await AssertRejectedAsync(victim, jwt.Sign(), "ClientJwtInvalidSignature");
    }

    [Fact]
    public async Task Kid_of_another_applications_key_verifies_against_nothing()
    {
        var other = await target.Db.RegisterApplicationAsync(sector: target.App.Sector);
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["kid"] = other.KeyId.Value;

        await AssertRejectedAsync(victim, jwt.Sign(), "ClientJwtInvalidSignature");
    }

    [Theory]
    [InlineData("10 KiB")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[\"kid\"]")]
    [InlineData("{\"$ne\":null}")]
    public async Task Oversized_or_non_string_kid_is_malformed(string kid)
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["kid"] = kid == "10 KiB" ? new string('k', 10 * 1024) : JsonNode.Parse(kid);

        await AssertRejectedAsync(victim, jwt.Sign(), "ClientJwtMalformed");
    }

    [Fact]
    [Control]
    public async Task Genuine_request_naming_its_key_still_succeeds_after_the_algorithm_attacks()
    {
        var victim = await target.NewVictimAsync();
        var jwt = target.NewJwt(victim.Body);
        jwt.Header["kid"] = target.App.KeyId.Value;

        var response = await target.SendAsync(jwt, victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    private async Task AssertRejectedAsync(Victim victim, string token, string reason)
    {
        var response = await target.SendAsync($"SudomimusClientJWT {token}", victim.Body);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, reason);
        await target.AssertUntouchedAsync(victim);
    }

    /// <summary>A signature of the kind <paramref name="alg"/> names, by the registered key where it is an RSA one.</summary>
    private byte[] SignAs(string alg, byte[] input)
    {
        var key = target.App.Key;
        switch (alg)
        {
            case "RS384":
                return key.SignData(input, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
            case "RS512":
                return key.SignData(input, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            case "PS256":
                return key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            case "PS384":
                return key.SignData(input, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
            case "PS512":
                return key.SignData(input, HashAlgorithmName.SHA512, RSASignaturePadding.Pss);
            case "ES256" or "ES384" or "ES512":
                var (curve, hash) = alg switch
                {
                    "ES256" => (ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256),
                    "ES384" => (ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384),
                    _ => (ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512),
                };
                using (var ec = ECDsa.Create(curve))
                {
                    return ec.SignData(input, hash);
                }

            case "EdDSA" or "RSA-OAEP" or "dir":
                return RandomNumberGenerator.GetBytes(64);
            default:
                // A genuine RS256 signature under a spelling of the algorithm that is not exactly RS256.
                return key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }
}
