using System.Text;
using System.Text.Json;
using Connect.Application.SessionTokens;
using Connect.Application.Tests.SessionTokens;
using Connect.Domain.Outcomes;
using Connect.Testing.Fuzzing;
using CsCheck;

namespace Connect.Application.Tests.Fuzzing;

/// <summary>
/// The session-token reader, which /refresh, /logout and /introspect put in front of anyone, under generated
/// and mutated tokens: it never throws, answers only its own reasons, and a token reads and verifies only if it
/// is the genuine one or a re-signed one whose members an independent JSON parser finds exactly right. Bounded
/// by <see cref="FuzzBudget"/>; a failure prints a CsCheck seed to replay it (docs/testing.md).
/// </summary>
public sealed class SessionTokenReaderFuzzTests : IDisposable
{
    private const int DefaultSeconds = 3;

    private static readonly string[] Names =
        ["alg", "kid", "typ", "iss", "aud", "sub", "sid", "jti", "iat", "exp", "rotationVersion", "nbf", "cty", "x"];

    private readonly SessionTokenHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Arbitrary_text_never_throws_and_never_verifies()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var base64UrlText = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="].Array[0, 900]
            .Select(chars => new string(chars));
        var latin1 = Gen.Byte.Array[0, 600].Select(bytes => Encoding.Latin1.GetString(bytes));

        Gen.OneOf(base64UrlText, Gen.String, latin1).Sample(AssertRefused, iter: iter, time: time, threads: 1);
    }

    [Fact]
    public void Any_edit_of_a_genuine_token_is_refused_unless_it_is_the_genuine_token()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var access = _h.Access();
        var refresh = _h.Refresh();
        var edit = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 5000], Gen.Int[0, 6], Gen.Char["AZaz09-_.=+/ \u00e9"]);

        Gen.Select(edit.Array[1, 4], Gen.Bool).Sample(sample =>
        {
            var (edits, isAccess) = sample;
            var genuine = isAccess ? access : refresh;
            var tampered = edits.Aggregate(genuine, (token, e) => Edit(token, e.Item1, e.Item2, e.Item3, e.Item4));

            if (tampered == genuine)
            {
                Assert.True(_h.ReadsAndVerifies(isAccess ? TokenKind.Access : TokenKind.Refresh, tampered));
                return;
            }

            AssertRefused(tampered);
        }, iter: iter, time: time, threads: 1, print: sample => string.Join(", ", sample.Item1) + (sample.Item2 ? " access" : " refresh"));
    }

    [Fact]
    public void Re_signed_member_mutations_verify_only_when_the_members_are_exactly_right()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var values = FuzzGen.Values(SessionTokenHarness.Now, KnownStrings());
        var mutation = Gen.Select(Gen.Bool, Gen.OneOf(Names), Gen.Int[0, 9], values, Gen.Bool,
            (header, name, kind, value, escape) => kind switch
            {
                < 6 => (FuzzMutation)new FuzzMutation.Set(header, name, value),
                < 8 => new FuzzMutation.Remove(header, name),
                _ => new FuzzMutation.Duplicate(header, name, value, escape),
            });

        Gen.Select(mutation.Array[0, 3], Gen.Bool, Gen.Int).Sample(sample =>
        {
            var (mutations, isAccess, seed) = sample;
            var kind = isAccess ? TokenKind.Access : TokenKind.Refresh;
            var header = Members(_h.Header(kind));
            var payload = Members(_h.Payload(kind));
            foreach (var m in mutations)
            {
                m.ApplyTo(header, payload);
            }

            var random = new Random(seed);
            var headerJson = FuzzJsonWriter.Write(header, random);
            var payloadJson = FuzzJsonWriter.Write(payload, random);
            var token = _h.SignJson(headerJson, payloadJson);

            var verified = _h.ReadsAndVerifies(kind, token);
            var other = _h.ReadsAndVerifies(isAccess ? TokenKind.Refresh : TokenKind.Access, token);

            var because = $"header {headerJson}\npayload {payloadJson}";
            Assert.False(other, $"read as the other kind\n{because}");
            Assert.True(verified == ExactlyRight(kind, headerJson, payloadJson, Encoding.UTF8.GetByteCount(token)), $"verified {verified}\n{because}");
        }, iter: iter, time: time, threads: 1, print: sample => string.Join("; ", sample.Item1) + $" {(sample.Item2 ? "access" : "refresh")} seed {sample.Item3}");
    }

    private void AssertRefused(string token)
    {
        var access = _h.Codec.ReadAccess(token);
        var refresh = _h.Codec.ReadRefresh(token);

        Assert.True(access.Failure == ReasonCode.AccessTokenInvalid || (access.Succeeded && !_h.Codec.Verifies(access.Value, _h.VerificationKey)), token);
        Assert.True(
            refresh.Failure == ReasonCode.RefreshTokenInvalid || refresh.Failure == ReasonCode.RefreshTokenInvalidType
            || (refresh.Succeeded && !_h.Codec.Verifies(refresh.Value, _h.VerificationKey)),
            token);
    }

    /// <summary>
    /// The model: System.Text.Json's DOM (not the reader under test) finds exactly the kind's members, once each,
    /// strings within their bounds and integers within theirs, and the header naming the key that signed.
    /// </summary>
    private bool ExactlyRight(TokenKind kind, string headerJson, string payloadJson, int bytes)
    {
        if (bytes > SessionTokenLimits.MaxTokenBytes)
        {
            return false;
        }

        try
        {
            var options = new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 8 };
            using var header = JsonDocument.Parse(headerJson, options);
            using var payload = JsonDocument.Parse(payloadJson, options);
            var h = Exactly(header.RootElement, ["alg", "kid", "typ"]);
            string[] names = kind == TokenKind.Access
                ? ["iss", "aud", "sub", "sid", "jti", "iat", "exp"]
                : ["iss", "aud", "sid", "jti", "iat", "exp", "rotationVersion"];
            var p = Exactly(payload.RootElement, names);
            return h is not null && p is not null
                && Text(h["alg"]) == "RS256" && Text(h["kid"]) == _h.SigningKey.KeyId
                && Text(h["typ"]) == (kind == TokenKind.Access ? SessionTokenCodec.AccessTokenType : SessionTokenCodec.RefreshTokenType)
                && Bounded(p["iss"], 255) && Bounded(p["aud"], 255) && (kind == TokenKind.Refresh || Bounded(p["sub"], 255))
                && Id(p["sid"]) && Id(p["jti"]) && Time(p["iat"]) && Time(p["exp"])
                && (kind == TokenKind.Access || (Integer(p["rotationVersion"]) is { } v && v is >= 1 and <= int.MaxValue));
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    private static Dictionary<string, JsonElement>? Exactly(JsonElement element, string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var members = element.EnumerateObject().ToList();
        return members.Count == names.Length && names.All(name => members.Count(m => m.Name == name) == 1)
            ? members.ToDictionary(m => m.Name, m => m.Value.Clone())
            : null;
    }

    private static string? Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bounded(JsonElement value, int max) =>
        Text(value) is { Length: > 0 } text && text.Length <= max && !text.Contains('\0', StringComparison.Ordinal);

    private static bool Id(JsonElement value) =>
        Text(value) is { Length: > 0 and <= 128 } text && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static long? Integer(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0 && value.TryGetInt64(out var n) ? n : null;

    private static bool Time(JsonElement value) => Integer(value) is >= 0 and <= SessionTokenLimits.MaxTime;

    private static List<FuzzMember> Members(List<(string Name, string Value)> members) =>
        [.. members.Select(member => new FuzzMember(member.Name, member.Value.StartsWith('"')
            ? FuzzValue.Str(JsonSerializer.Deserialize<string>(member.Value)!)
            : FuzzValue.Int(long.Parse(member.Value, System.Globalization.CultureInfo.InvariantCulture))))];

    private List<string> KnownStrings() =>
    [
        "RS256", "rs256", "none", "HS256", "JWT", SessionTokenCodec.AccessTokenType, SessionTokenCodec.RefreshTokenType,
        _h.SigningKey.KeyId, _h.SigningKey.KeyId + "x", SessionTokenHarness.Issuer, SessionTokenHarness.Anchor.Value,
        _h.SessionId, "", "a\u0000b", "a+b", new string('a', 128), new string('a', 129), new string('b', 255), new string('b', 256),
    ];

    /// <summary>One text edit: flip a bit, insert, delete, swap or duplicate segments, or truncate.</summary>
    private static string Edit(string token, int kind, int position, int bit, char inserted)
    {
        var at = token.Length == 0 ? 0 : position % token.Length;
        var segments = token.Split('.');
        var i = position % segments.Length;
        var j = (position / 7) % segments.Length;
        return kind switch
        {
            0 when token.Length > 0 => string.Concat(token.AsSpan(0, at), ((char)(token[at] ^ (1 << bit))).ToString(), token.AsSpan(at + 1)),
            1 => token.Insert(at, inserted.ToString()),
            2 when token.Length > 0 => token.Remove(at, 1),
            3 => string.Join('.', segments.Select((s, k) => k == i ? segments[j] : k == j ? segments[i] : s)),
            4 => token[..at],
            _ => token + inserted,
        };
    }
}
