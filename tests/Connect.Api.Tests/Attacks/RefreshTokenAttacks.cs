using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Connect.Api.Tests.Refresh;
using Connect.Testing.ClientJwts;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// Hostile refresh tokens on <c>POST /refresh</c>: structure, algorithms, <c>kid</c> games, header and payload
/// members, sizes, encodings and fuzzing. Each forged token names a real, active session and, unless the attack is
/// the signature itself, is signed with the application's real signing key, so that only the changed part can be at
/// fault. None may change anything in the database, and the genuine token must still rotate afterwards.
/// </summary>
public sealed class RefreshTokenAttacks(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    [Theory]
    [InlineData("{h}")]
    [InlineData("{h}.{p}")]
    [InlineData("{h}.{p}.")]
    [InlineData("{h}.{p}.{s}.")]
    [InlineData("{h}.{p}.{s}.{s}")]
    [InlineData("{p}.{h}.{s}")]
    [InlineData(".{p}.{s}")]
    [InlineData("{h}..{s}")]
    [InlineData(" {h}.{p}.{s}")]
    [InlineData("{h}.{p}.{s} ")]
    public async Task Wrong_segment_count_order_or_framing_is_RefreshTokenInvalid(string shape)
    {
        var victim = await target.IssueAsync();
        var parts = victim.RefreshToken.Split('.');
        var forged = shape.Replace("{h}", parts[0], StringComparison.Ordinal).Replace("{p}", parts[1], StringComparison.Ordinal)
            .Replace("{s}", parts[2], StringComparison.Ordinal);

        await AssertRefusedAsync(victim, forged, "RefreshTokenInvalid");
    }

    [Theory]
    [InlineData("padded header")]
    [InlineData("padded signature")]
    [InlineData("standard alphabet")]
    [InlineData("non-canonical signature tail")]
    [InlineData("percent-encoded dot")]
    [InlineData("non-json header")]
    [InlineData("non-json payload")]
    public async Task Non_canonical_base64url_or_non_json_segments_are_RefreshTokenInvalid(string spelling)
    {
        var victim = await target.IssueAsync();
        var parts = victim.RefreshToken.Split('.');
        var key = await target.CurrentSigningKeyAsync();
        var forged = spelling switch
        {
            "padded header" => $"{parts[0]}{Padding(parts[0])}.{parts[1]}.{parts[2]}",
            "padded signature" => $"{parts[0]}.{parts[1]}.{parts[2]}{Padding(parts[2])}",
            "standard alphabet" => StandardAlphabetVariant(victim),
            "non-canonical signature tail" => $"{parts[0]}.{parts[1]}.{ClientJwtTampering.WithNonCanonicalTail(parts[2])}",
            "percent-encoded dot" => $"{parts[0]}%2E{parts[1]}.{parts[2]}",
            "non-json header" => RefreshTarget.SignRaw("alg=RS256", Json(parts[1]), key.PrivateKey),
            _ => RefreshTarget.SignRaw(Json(parts[0]), "not json", key.PrivateKey),
        };
        Assert.NotEqual(victim.RefreshToken, forged);

        await AssertRefusedAsync(victim, forged, "RefreshTokenInvalid");
    }

    [Theory]
    [InlineData("""{"alg":"none","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""", "none")]
    [InlineData("""{"alg":"HS256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""", "hmac")]
    [InlineData("""{"alg":"RS512","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""", "rsa")]
    [InlineData("""{"alg":"rs256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""", "rsa")]
    [InlineData("""{"alg":"PS256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""", "rsa")]
    public async Task Any_algorithm_but_RS256_is_RefreshTokenInvalid(string header, string signing)
    {
        var victim = await target.IssueAsync();
        var key = await target.CurrentSigningKeyAsync();
        var headerJson = header.Replace("{kid}", key.KeyId, StringComparison.Ordinal);
        var payload = Json(victim.RefreshToken.Split('.')[1]);
        var input = $"{B64(headerJson)}.{B64(payload)}";
        var forged = signing switch
        {
            "none" => $"{input}.",
            // The classic confusion: HMAC keyed with the public key the JWKS publishes.
            "hmac" => $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(key.PrivateKey.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes(input)))}",
            _ => RefreshTarget.SignRaw(headerJson, payload, key.PrivateKey),
        };

        await AssertRefusedAsync(victim, forged, "RefreshTokenInvalid");
    }

    [Theory]
    [InlineData("""{"alg":"RS256","typ":"vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}"}""")]
    [InlineData("""{"kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt","jku":"https://evil.example/jwks"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt","jwk":{"kty":"RSA"}}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt","crit":["exp"]}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt","x5u":"https://evil.example"}""")]
    [InlineData("""{"alg":"RS256","alg":"RS256","kid":"{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"application/vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"VND.SUDOMIMUS.APPLICATION-REFRESH+JWT"}""")]
    [InlineData("""{"alg":"RS256","kid":["{kid}"],"typ":"vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"","typ":"vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"../../{kid}","typ":"vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}\u0000","typ":"vnd.sudomimus.application-refresh+jwt"}""")]
    [InlineData("""{"alg":"RS256","kid":"{kid}","typ":"vnd.sudomimus.application-access+jwt"}""")]
    public async Task Missing_extra_duplicated_or_mistyped_header_members_are_RefreshTokenInvalid(string header)
    {
        var victim = await target.IssueAsync();
        var key = await target.CurrentSigningKeyAsync();

        var forged = RefreshTarget.SignRaw(
            header.Replace("{kid}", key.KeyId, StringComparison.Ordinal), Json(victim.RefreshToken.Split('.')[1]), key.PrivateKey);

        await AssertRefusedAsync(victim, forged, "RefreshTokenInvalid");
    }

    [Theory]
    [InlineData("unknown kid")]
    [InlineData("another application's kid")]
    [InlineData("stranger's key under our kid")]
    public async Task Kid_games_are_RefreshTokenInvalidSignature(string game)
    {
        var victim = await target.IssueAsync();
        var key = await target.CurrentSigningKeyAsync();
        var other = await target.Db.RegisterApplicationAsync();
        var otherKey = await target.CurrentSigningKeyAsync(other);
        using var stranger = RSA.Create(2048);
        var payload = Json(victim.RefreshToken.Split('.')[1]);
        var forged = game switch
        {
            "unknown kid" => RefreshTarget.SignRaw(Header(RandomKid()), payload, stranger),
            "another application's kid" => RefreshTarget.SignRaw(Header(otherKey.KeyId), payload, otherKey.PrivateKey),
            _ => RefreshTarget.SignRaw(Header(key.KeyId), payload, stranger),
        };

        await AssertRefusedAsync(victim, forged, "RefreshTokenInvalidSignature");
    }

    [Theory]
    [InlineData("""{"nbf":0}""")]
    [InlineData("""{"sub":"someone"}""")]
    [InlineData("""{"rotationVersion":"1"}""")]
    [InlineData("""{"rotationVersion":0}""")]
    [InlineData("""{"rotationVersion":-1}""")]
    [InlineData("""{"rotationVersion":1.0}""")]
    [InlineData("""{"rotationVersion":1e0}""")]
    [InlineData("""{"rotationVersion":99999999999}""")]
    [InlineData("""{"exp":"tomorrow"}""")]
    [InlineData("""{"sid":"a b"}""")]
    [InlineData("""{"sid":""}""")]
    [InlineData("""{"jti":null}""")]
    [InlineData("""{"aud":["{aud}"]}""")]
    [InlineData("-rotationVersion")]
    [InlineData("-jti")]
    [InlineData("-sid")]
    public async Task Extra_missing_or_mistyped_payload_members_are_RefreshTokenInvalid(string change)
    {
        var victim = await target.IssueAsync();
        var key = await target.CurrentSigningKeyAsync();
        var payload = System.Text.Json.Nodes.JsonNode.Parse(Json(victim.RefreshToken.Split('.')[1]))!.AsObject();
        if (change.StartsWith('-'))
        {
            payload.Remove(change[1..]);
        }
        else
        {
            foreach (var (name, value) in System.Text.Json.Nodes.JsonNode.Parse(change.Replace("{aud}", victim.App.Anchor.Value, StringComparison.Ordinal))!.AsObject())
            {
                payload[name] = value?.DeepClone();
            }
        }

        var forged = RefreshTarget.SignRaw(Header(key.KeyId), payload.ToJsonString(), key.PrivateKey);

        await AssertRefusedAsync(victim, forged, "RefreshTokenInvalid");
    }

    [Fact]
    public async Task Bloated_signature_verifies_against_nothing_and_an_oversized_body_is_413()
    {
        // A token over 4 KiB never reaches the reader (400 InvalidBody, RefreshReasonTests), and a body over the 8 KiB
        // limit is refused unread; one just under 4 KiB, its signature padded out, is whole in structure and no signature.
        var victim = await target.IssueAsync();
        var parts = victim.RefreshToken.Split('.');
        var bloated = $"{parts[0]}.{parts[1]}.{parts[2]}{new string('A', (4000 - victim.RefreshToken.Length) / 4 * 4)}";

        await RefreshAssert.ReasonAsync(
            await target.RefreshAsync(victim.RefreshToken + new string('A', 8 * 1024)), HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge");
        await AssertRefusedAsync(victim, bloated, "RefreshTokenInvalidSignature");
    }

    [Fact]
    public async Task Fuzzed_genuine_tokens_are_all_refused_and_change_nothing()
    {
        var victim = await target.IssueAsync();
        var random = new Random(1307);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\"\\{}";
        for (var i = 0; i < 150; i++)
        {
            var chars = victim.RefreshToken.ToList();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(chars.Count);
                switch (random.Next(3))
                {
                    case 0: chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: chars.RemoveAt(at); break;
                    default: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                }
            }

            var fuzzed = new string([.. chars]);
            if (fuzzed == victim.RefreshToken)
            {
                continue;
            }

            var response = await target.RefreshAsync(fuzzed);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(
                response.StatusCode == HttpStatusCode.Unauthorized
                && body is """{"reason":"RefreshTokenInvalid"}""" or """{"reason":"RefreshTokenInvalidSignature"}""",
                $"{fuzzed}: {(int)response.StatusCode} {body}");
        }

        await AssertRefreshesAsync(victim);
    }

    private async Task AssertRefusedAsync(Issued victim, string forged, string reason)
    {
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(forged), HttpStatusCode.Unauthorized, reason);
        await AssertRefreshesAsync(victim);
    }

    /// <summary>Nothing changed (version 1, not revoked, no audit), and the genuine token still rotates.</summary>
    private async Task AssertRefreshesAsync(Issued victim)
    {
        var row = await target.RowAsync(victim.SessionId);
        Assert.Equal((1, (DateTime?)null, 0L), (row.Version, row.RevokedAt, row.Audits));
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(victim.RefreshToken));
    }

    private static string Header(string kid) =>
        $$"""{"alg":"RS256","kid":"{{kid}}","typ":"vnd.sudomimus.application-refresh+jwt"}""";

    private static string RandomKid() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static string Json(string segment) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(segment));

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Padding(string segment) => new('=', (4 - (segment.Length % 4)) % 4 is 0 ? 4 : (4 - (segment.Length % 4)) % 4);

    /// <summary>The genuine token with its signature in the standard alphabet (one exists with '-' or '_' almost always).</summary>
    private static string StandardAlphabetVariant(Issued victim)
    {
        var parts = victim.RefreshToken.Split('.');
        var signature = parts[2].Replace('-', '+').Replace('_', '/');
        return signature == parts[2] ? $"{parts[0]}.{parts[1]}.{parts[2]}=" : $"{parts[0]}.{parts[1]}.{signature}";
    }
}
