using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.ClientAuthentication;
using Connect.Application.Tests.ClientAuthentication;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;
using Connect.Testing.Fuzzing;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Application.Tests.Fuzzing;

/// <summary>
/// The client-JWT policy, the first parser an attacker reaches, under generated and mutated tokens: it never
/// throws, answers only reasons of the client-JWT set, rejects before the replay check, and succeeds only for
/// the untampered token or a re-signed token that an independent model of the contract's rules calls valid.
/// Bounded by <see cref="FuzzBudget"/>; a failure prints a CsCheck seed to replay it (docs/testing.md).
/// </summary>
public sealed class ClientJwtPolicyFuzzTests : IDisposable
{
    private const long Now = ClientJwtPolicyHarness.Now;
    private const string OtherAnchor = "other-app";
    private const int DefaultSeconds = 4;

    private static readonly ReasonCode[] RejectionsBeforeTrust =
    [
        ReasonCode.ClientJwtMissing, ReasonCode.ClientJwtMalformed, ReasonCode.ClientJwtAlgorithmRejected,
        ReasonCode.ClientJwtUnknownApplication, ReasonCode.ClientJwtInvalidSignature,
    ];

    private readonly ClientJwtPolicyHarness _h = new();
    private readonly CountingReplayStore _replays = new();
    private readonly ClientJwtPolicy _policy;

    public ClientJwtPolicyFuzzTests()
    {
        // A second application, signed for by nobody here: its anchor with this key is an invalid signature.
        _h.Register(new ClientApplication(
            new AppId(Guid.NewGuid()), new ApplicationAnchor(OtherAnchor), new SectorId(Guid.NewGuid()), 1, true,
            [ClientJwtPolicyHarness.KeyOf(_h.NewKey())]));
        _policy = new ClientJwtPolicy(
            _h.Directory, _replays, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)),
            Microsoft.Extensions.Options.Options.Create(new ClientJwtOptions()));
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Arbitrary_authorization_text_never_throws_and_never_authenticates()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var base64UrlText = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="].Array[0, 600]
            .Select(chars => new string(chars));
        var anyText = Gen.String;
        var latin1 = Gen.Byte.Array[0, 600].Select(bytes => Encoding.Latin1.GetString(bytes));
        var schemes = Gen.OneOf("SudomimusClientJWT ", "sudomimusclientjwt  ", "SudomimusClientJWT\t", "Bearer ", "", " ");
        var authorization = Gen.Select(schemes, Gen.OneOf(base64UrlText, anyText, latin1), (scheme, token) => scheme + token);

        await authorization.SampleAsync(async header => await AssertRejectedBeforeTrustAsync(header), iter: iter, time: time, threads: 1);
    }

    [Fact]
    public async Task Random_segments_of_random_json_never_throw_and_never_authenticate()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var values = FuzzGen.Values(Now, KnownStrings());
        var members = Gen.Select(Gen.OneOf(FuzzGen.PayloadNames.Concat(FuzzGen.HeaderNames).ToArray()), values, Gen.Bool,
            (name, value, escape) => new FuzzMember(name, value, escape)).Array[0, 9];
        var segment = Gen.Frequency(
            (3, Gen.Select(members, Gen.Int, (m, seed) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(FuzzJsonWriter.Write(m, new Random(seed)))))),
            (1, Gen.Byte.Array[0, 300].Select(bytes => Base64Url.EncodeToString(bytes))));
        var token = Gen.Select(segment, segment, segment, (h, p, s) => $"{h}.{p}.{s}");

        await token.SampleAsync(async t => await AssertRejectedBeforeTrustAsync(ClientJwtPolicyHarness.Header(t)), iter: iter, time: time, threads: 1);
    }

    [Fact]
    public async Task Any_change_to_the_text_of_a_valid_token_is_rejected_before_the_replay_check()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var edit = Gen.Select(Gen.Int[0, 7], Gen.Int[0, 5000], Gen.Int[0, 6], Gen.Char["AZaz09-_.=+/ \t\u00e9"]);
        var case_ = Gen.Select(edit.Array[1, 4], Gen.Bool);

        await case_.SampleAsync(async sample =>
        {
            var (edits, splice) = sample;
            var genuine = _h.NewJwt().Sign();
            var other = _h.NewJwt().Sign();
            var tampered = edits.Aggregate(genuine, (token, e) => Edit(token, e.Item1, e.Item2, e.Item3, e.Item4, splice ? other : genuine));

            if (tampered.TrimStart(' ') is var token && (token == genuine || token == other))
            {
                // Edits that cancel out, a splice that rebuilt the other genuine token whole, or leading spaces
                // (the header allows 1*SP between scheme and token).
                var outcome = await _policy.AuthenticateAsync(ClientJwtPolicyHarness.Header(tampered), _h.Body, CancellationToken.None);
                Assert.True(outcome.Succeeded, $"genuine token refused: {outcome.Failure}");
                return;
            }

            await AssertRejectedBeforeTrustAsync(ClientJwtPolicyHarness.Header(tampered));
        }, iter: iter, time: time, threads: 1, print: sample => string.Join(", ", sample.Item1) + (sample.Item2 ? " splice" : ""));
    }

    [Fact]
    public async Task Re_signed_json_mutations_succeed_exactly_when_the_model_of_the_rules_says_valid()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var mutations = FuzzGen.Mutations(FuzzGen.Values(Now, KnownStrings())).Array[0, 4];
        var case_ = Gen.Select(mutations, Gen.Int);

        await case_.SampleAsync(async sample =>
        {
            var (mutation, seed) = sample;
            var (header, payload) = Baseline();
            foreach (var m in mutation)
            {
                m.ApplyTo(header, payload);
            }

            var random = new Random(seed);
            var headerJson = FuzzJsonWriter.Write(header, random);
            var payloadJson = FuzzJsonWriter.Write(payload, random);
            var token = ClientJwtTampering.SignRaw(_h.Key, Encoding.UTF8.GetBytes(headerJson), Encoding.UTF8.GetBytes(payloadJson));
            var expected = ClientJwtRulesModel.Expect(header, payload, token, _h.Application.ActiveKeys[0].Id.Value, ExpectedHash());
            var replaysBefore = _replays.Calls;

            var outcome = await _policy.AuthenticateAsync(ClientJwtPolicyHarness.Header(token), _h.Body, CancellationToken.None);

            var because = $"header {headerJson}\npayload {payloadJson}";
            Assert.True(expected == outcome.Failure, $"expected {expected?.Name ?? "success"}, got {outcome.Failure?.Name ?? "success"}\n{because}");
            Assert.Equal(replaysBefore + (outcome.Succeeded ? 1 : 0), _replays.Calls);
        }, iter: iter, time: time, threads: 1, print: sample => string.Join("; ", sample.Item1) + $" seed {sample.Item2}");
    }

    private async Task AssertRejectedBeforeTrustAsync(string authorization)
    {
        var replaysBefore = _replays.Calls;

        var outcome = await _policy.AuthenticateAsync(authorization, _h.Body, CancellationToken.None);

        Assert.False(outcome.Succeeded, $"authenticated: {authorization}");
        Assert.Contains(outcome.Failure, RejectionsBeforeTrust);
        Assert.Equal(replaysBefore, _replays.Calls);
    }

    private (List<FuzzMember> Header, List<FuzzMember> Payload) Baseline()
    {
        var jwt = _h.NewJwt();
        return (
            [new("alg", FuzzValue.Str("RS256")), new("typ", FuzzValue.Str("JWT"))],
            [
                new("iss", FuzzValue.Str(ClientJwtPolicyHarness.Anchor)),
                new("aud", FuzzValue.Str(TestClientJwt.Audience)),
                new("iat", FuzzValue.Int(Now)),
                new("exp", FuzzValue.Int(Now + 60)),
                new("jti", FuzzValue.Str(jwt.Payload["jti"]!.GetValue<string>())),
                new("body_sha256", FuzzValue.Str(ExpectedHash())),
            ]);
    }

    private string ExpectedHash() => TestClientJwt.BodySha256(_h.Body);

    private List<string> KnownStrings() =>
    [
        "RS256", "none", "HS256", "RS384", "rs256", "RS256 ", "JWT", "jwt", "at+jwt",
        ClientJwtPolicyHarness.Anchor, OtherAnchor, "ACME-APP", "acme-app ", "acme-app\u0000", "unknown-app",
        TestClientJwt.Audience, "Sudomimus-Connect", "", "x", "\u0000", "a\u0000b",
        _h.Application.ActiveKeys[0].Id.Value, "../../etc/passwd", "' OR '1'='1",
        ExpectedHash(), Convert.ToBase64String(SHA256.HashData([])), "http://127.0.0.1:1/keys",
        new string('j', 128), new string('j', 129), string.Concat(Enumerable.Repeat("\U0001F511", 64)),
    ];

    /// <summary>One text edit: flip a bit, insert, delete, swap or duplicate segments, or splice in another token's segment.</summary>
    private static string Edit(string token, int kind, int position, int bit, char inserted, string other)
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
            4 => string.Join('.', segments.Take(i + 1).Append(segments[i]).Concat(segments.Skip(i + 1))),
            5 => token[..at],
            6 => string.Join('.', segments.Select((s, k) => k == i && i < 3 ? ClientJwtTampering.Segment(other, i) : s)),
            _ => token + inserted,
        };
    }

    /// <summary>A replay store that accepts every jti and counts how often it was asked.</summary>
    private sealed class CountingReplayStore : IClientJwtReplayStore
    {
        private int _calls;

        public int Calls => _calls;

        public Task<JtiRecording> TryRecordFirstUseAsync(AppId application, long revision, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(JtiRecording.FirstUse);
        }
    }
}
