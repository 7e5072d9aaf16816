using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Connect.Domain.Accounts;
using Connect.Testing.ClientJwts;
using Connect.Testing.Fuzzing;
using Connect.Testing.Seeding;
using CsCheck;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Fuzzing;

/// <summary>
/// The HTTP body reader and parser end to end, under generated bodies and content types, each request signed
/// correctly over its exact bytes: never a 5xx, only 200, 400, 413 or 415 with the contract's exact answer, a
/// jti spent exactly when authentication ran, and no change in the database but a legitimate revoke of the
/// account the body names (tracked by a model). Bounded by <see cref="FuzzBudget"/> (docs/testing.md).
/// </summary>
public sealed class RevokeAllBodyFuzzTests : IAsyncLifetime
{
    private const int Limit = 4096;
    private const int SessionsPerVictim = 3;
    private const int DefaultSeconds = 12;

    private static readonly string[] GoodTypes =
        ["application/json", "application/json; charset=utf-8", "Application/JSON; charset=\"UTF-8\"", "application/json;charset=UTF-8"];

    private static readonly string[] BadTypes =
        ["", "text/plain", "text/json", "application/jsonx", "application/json; charset=utf-16", "application/json; q=1",
         "application/x-www-form-urlencoded", "application/json, text/plain", "multipart/form-data; boundary=x"];

    private static readonly string[] ExtraValues =
        ["1", "-0.5e-3", "true", "null", "\"x\"", "\"\\u0000\"", "[1,[2,[3]]]", "{\"a\":{\"b\":[]}}", "{\"subject\":\"nested\"}",
         "{\"a\":1,\"a\":2}", "1e400", "\"\\ud800\"", "[]", "{}"];

    private static readonly string[] ExtraNames = ["Subject", "SUBJECT", "subjects", "sub", "id", "client", "\u00e9", "s\u0075bject2"];

    private static readonly byte[] InsertableBytes = [(byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)',', (byte)':', 0x00, 0xFF, 0xC3, 0xED, (byte)' ', (byte)'u', (byte)'[', (byte)'\n'];

    private readonly ConnectApi _api = new(new ConnectApiOptions { Settings = new Dictionary<string, string?> { ["Connect:RateLimit:BurstLimit"] = "1000000" } });
    private readonly List<(AccountId Account, string Subject)> _victims = [];
    private TestApplication _sibling = null!;

    private TestApplication _app => _api.App;

    private HttpClient _client => _api.Client;

    public async Task InitializeAsync()
    {
        await _api.InitializeAsync();
        _sibling = await _api.Db.RegisterApplicationAsync(sector: _app.Sector);
        for (var i = 0; i < 4; i++)
        {
            var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(_app.Sector);
            await _api.Db.IssueSessionsAsync(account, _app.Id, SessionsPerVictim);
            await _api.Db.IssueSessionsAsync(account, _sibling.Id, SessionsPerVictim);
            _victims.Add((account, subject.Value));
        }
    }

    public Task DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Generated_bodies_get_only_contract_answers_and_change_nothing_but_a_legitimate_revoke()
    {
        var (iter, time) = FuzzBudget.For(DefaultSeconds);
        var subjects = Gen.Frequency(
            (3, Gen.Int[0, 3].Select(i => _victims[i].Subject)),
            (1, Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].Array[1, 255].Select(c => new string(c))));
        var valid = Gen.Select(subjects, Gen.Int, (subject, seed) => WriteBody(subject, new Random(seed)));
        var edits = Gen.Select(Gen.Int[0, 4], Gen.Int[0, Limit], Gen.Int[0, 7], Gen.Int[0, InsertableBytes.Length - 1]).Array[1, 3];
        var mutated = Gen.Select(valid, edits, (body, e) => new FuzzBody(Edit(body.Bytes, e), false));
        var noise = Gen.Byte.Array[0, 300].Select(bytes => new FuzzBody(bytes, false));
        var oversize = Gen.Select(valid, Gen.Int[Limit + 1, Limit + 200], (body, length) =>
            new FuzzBody([.. body.Bytes, .. Enumerable.Repeat((byte)' ', Math.Max(0, length - body.Bytes.Length))], false));
        var bodies = Gen.Frequency((4, valid), (4, mutated), (1, noise), (1, oversize));
        var contentTypes = Gen.Frequency((8, Gen.OneOf(GoodTypes)), (1, Gen.OneOf(BadTypes)));
        var encodings = Gen.Frequency((12, Gen.Const<string?>((string?)null)), (1, Gen.OneOf<string?>("gzip", "identity")));
        var cases = Gen.Select(bodies, contentTypes, encodings, Gen.Bool);

        await cases.SampleAsync(
            async (body, contentType, encoding, streamed) => await SendAndCheckAsync(body, contentType, encoding, streamed),
            iter: iter, time: time, threads: 1,
            print: c => $"{Convert.ToBase64String(c.Item1.Bytes)} as '{c.Item2}' encoding {c.Item3} streamed {c.Item4}");
    }

    private async Task SendAndCheckAsync(FuzzBody body, string contentType, string? encoding, bool streamed)
    {
        // Each case starts from the database as it is (victims revoked earlier get fresh sessions), so that a
        // case judges only the change its own request made, and shrinking replays it faithfully.
        var active = new Dictionary<AccountId, int>();
        foreach (var (account, _) in _victims)
        {
            active[account] = (await _api.Db.CountSessionsAsync(account, _app.Id)).Active;
            if (active[account] == 0)
            {
                active[account] = await _api.Db.IssueSessionsAsync(account, _app.Id, SessionsPerVictim);
            }
        }

        var replaysBefore = await ReplayRecordsAsync();
        HttpContent content = streamed ? new StreamContent(new MemoryStream(body.Bytes)) : new ByteArrayContent(body.Bytes);
        if (streamed)
        {
            content.Headers.ContentLength = null;
        }

        if (contentType.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/revoke-all") { Content = content };
        var jwt = new TestClientJwt(_app.Anchor.Value, _app.Key, DateTimeOffset.UtcNow, body.Bytes);
        request.Headers.TryAddWithoutValidation("Authorization", jwt.AuthorizationHeader());

        using var response = await _client.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();

        var because = $"{(int)response.StatusCode} {answer}";
        var expectedRefusal = body.Bytes.Length > Limit ? (HttpStatusCode.RequestEntityTooLarge, "BodyTooLarge")
            : encoding is not null || !GoodTypes.Contains(contentType) ? (HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType")
            : ((HttpStatusCode, string)?)null;
        if (expectedRefusal is { } refusal)
        {
            Assert.Equal((refusal.Item1, $$"""{"reason":"{{refusal.Item2}}"}"""), (response.StatusCode, answer));
            Assert.Equal(replaysBefore, await ReplayRecordsAsync());
            await AssertSessionsAsync(active);
            return;
        }

        if (body.Refused)
        {
            // Written whole, but an extra member breaks the strict reader's rules (docs/decisions.md, "One strict JSON reader").
            Assert.Equal((HttpStatusCode.BadRequest, """{"reason":"InvalidBody"}"""), (response.StatusCode, answer));
        }

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, because);
        Assert.Equal(replaysBefore + 1, await ReplayRecordsAsync());
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.False(body.Valid, because);
            Assert.Equal("""{"reason":"InvalidBody"}""", answer);
            await AssertSessionsAsync(active);
            return;
        }

        // The one legitimate change: every active session of the account the body names, and nothing else.
        var named = _victims.FirstOrDefault(victim => victim.Subject == SubjectOf(body.Bytes));
        var expected = named.Subject is null ? 0 : active[named.Account];
        Assert.Equal($$"""{"revokedCount":{{expected}}}""", answer);
        if (named.Subject is not null)
        {
            active[named.Account] = 0;
        }

        await AssertSessionsAsync(active);
    }

    /// <summary>Each victim's active sessions under the application as expected, and the sibling's untouched.</summary>
    private async Task AssertSessionsAsync(Dictionary<AccountId, int> expected)
    {
        foreach (var (account, subject) in _victims)
        {
            Assert.True(expected[account] == (await _api.Db.CountSessionsAsync(account, _app.Id)).Active, $"active sessions of {subject}");
            Assert.Equal(new(SessionsPerVictim, 0, 0), await _api.Db.CountSessionsAsync(account, _sibling.Id));
        }
    }

    private async Task<long> ReplayRecordsAsync()
    {
        await using var connection = await _api.Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM client_jwt_replays");
    }

    /// <summary>What a lenient reader takes for the subject: for checking which account a 200 may have touched.</summary>
    private static string? SubjectOf(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("subject", out var subject)
                && subject.ValueKind == JsonValueKind.String
                ? subject.GetString()
                : null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// One JSON object with the subject and random extras, spelled with random whitespace, order and escapes: valid
    /// unless the extras break the strict reader's rules (a name twice, a duplicate inside a value, a lone
    /// surrogate), which it must then refuse.
    /// </summary>
    private static FuzzBody WriteBody(string subject, Random random)
    {
        var members = new List<(string Name, string Json)> { ("subject", Quote(subject, random)) };
        for (var extras = random.Next(4); extras > 0; extras--)
        {
            members.Add((ExtraNames[random.Next(ExtraNames.Length)], ExtraValues[random.Next(ExtraValues.Length)]));
        }

        string Space() => random.Next(4) switch { 0 => " ", 1 => "\n\t", _ => "" };
        var ordered = members.OrderBy(_ => random.Next()).Select(member => $"{Space()}{Quote(member.Name, random)}{Space()}:{Space()}{member.Json}{Space()}");
        var bytes = Encoding.UTF8.GetBytes($"{Space()}{{{string.Join(',', ordered)}}}{Space()}");
        var strict = members.Select(member => member.Name).Distinct().Count() == members.Count
            && !members.Any(member => member.Json is "{\"a\":1,\"a\":2}" or "\"\\ud800\"");
        return new FuzzBody(bytes, strict, Refused: !strict);
    }

    private static string Quote(string text, Random random) =>
        "\"" + string.Concat(text.Select(c => c is '"' or '\\' || c < 0x20 || random.Next(10) == 0 ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";

    private static byte[] Edit(byte[] body, (int Kind, int Position, int Bit, int Insert)[] edits)
    {
        var bytes = body.ToList();
        foreach (var (kind, position, bit, insert) in edits)
        {
            var at = bytes.Count == 0 ? 0 : position % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << bit);
                    break;
                case 1:
                    bytes.Insert(at, InsertableBytes[insert]);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.InsertRange(at, bytes.Skip(at).Take(bit + 1).ToList());
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>
    /// A generated body; <c>Valid</c> when it was written as a well-formed revoke-all body, <c>Refused</c> when it was
    /// written whole but breaks the strict reader's rules (so it must be <c>InvalidBody</c>).
    /// </summary>
    private sealed record FuzzBody(byte[] Bytes, bool Valid, bool Refused = false);
}
