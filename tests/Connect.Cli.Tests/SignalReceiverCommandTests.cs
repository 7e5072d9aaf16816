using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Connect.Cli.Tests;

/// <summary>
/// <c>app receiver add | list | remove</c> and <c>signals retry</c> through the real command line, against a real
/// database (docs/contract/signals.md "Receivers"), and what they leave in it. Signals are written into the outbox
/// directly, as a revocation would have left them.
/// </summary>
public sealed class SignalReceiverCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    private static readonly (string, JsonValueKind)[] Added =
    [
        ("anchor", JsonValueKind.String), ("receiverId", JsonValueKind.String), ("url", JsonValueKind.String),
        ("format", JsonValueKind.String), ("audience", JsonValueKind.String),
    ];

    private static readonly (string, JsonValueKind)[] Listed = [("anchor", JsonValueKind.String), ("receivers", JsonValueKind.Array)];

    private static readonly (string, JsonValueKind)[] Removed =
        [("anchor", JsonValueKind.String), ("receiverId", JsonValueKind.String), ("removed", JsonValueKind.True)];

    private static readonly (string, JsonValueKind)[] Requeued = [("requeued", JsonValueKind.Number)];

    private const string LoopbackSetting = "Connect:Signals:AllowLoopbackReceivers";

    [Fact]
    public async Task Add_prints_the_receiver_with_the_anchor_as_its_audience_and_audits_it()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync("app", "receiver", "add", "--anchor", anchor, "--url", "https://receiver.example/caep", "--format", "caep");

        var json = run.AssertJson(Added);
        var receiverId = json.GetProperty("receiverId").GetString()!;
        Assert.Equal(
            (anchor, "https://receiver.example/caep", "caep", anchor),
            (json.GetProperty("anchor").GetString(), json.GetProperty("url").GetString(), json.GetProperty("format").GetString(),
             json.GetProperty("audience").GetString()));
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        var stored = await connection.QuerySingleAsync<(string Url, string Format, string Audience)>(
            "SELECT url, format, audience FROM signal_receivers WHERE id = @Id", new { Id = Guid.Parse(receiverId) });
        Assert.Equal(("https://receiver.example/caep", "caep", anchor), stored);
        var audited = (await EventsAsync(anchor))[0];
        Assert.Equal(["at", "kind", "anchor", "receiverId"], audited.EnumerateObject().Select(property => property.Name));
        Assert.Equal(("receiver_added", receiverId), (audited.GetProperty("kind").GetString(), audited.GetProperty("receiverId").GetString()));
    }

    [Fact]
    public async Task Add_keeps_a_named_audience_and_the_back_channel_logout_format()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync(
            "app", "receiver", "add", "--anchor", anchor, "--url", "https://rp.example/backchannel?tenant=7",
            "--format", "backchannel-logout", "--audience", "rp-client-id");

        var json = run.AssertJson(Added);
        Assert.Equal(
            ("https://rp.example/backchannel?tenant=7", "backchannel-logout", "rp-client-id"),
            (json.GetProperty("url").GetString(), json.GetProperty("format").GetString(), json.GetProperty("audience").GetString()));
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/", "is private, link-local, unspecified or otherwise not public")]
    [InlineData("https://10.1.2.3/logout", "is private, link-local, unspecified or otherwise not public")]
    [InlineData("https://[::ffff:192.168.0.1]/logout", "is private, link-local, unspecified or otherwise not public")]
    [InlineData("http://receiver.example/logout", "must be https; plain http is allowed only to a loopback host")]
    [InlineData("ftp://receiver.example/logout", "must be https (http only to a loopback host)")]
    [InlineData("https://user:secret@receiver.example/logout", "must not contain user information")]
    [InlineData("https://receiver.example/logout#x", "must not have a fragment")]
    [InlineData("http://127.0.0.1:9000/logout", "allowed only while Connect:Signals:AllowLoopbackReceivers is true")]
    [InlineData("http://localhost:9000/logout", "allowed only while Connect:Signals:AllowLoopbackReceivers is true")]
    public async Task Add_refuses_a_url_that_could_reach_what_it_must_not_and_adds_nothing(string url, string problem)
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync("app", "receiver", "add", "--anchor", anchor, "--url", url, "--format", "caep");

        run.AssertFailed(problem);
        Assert.Empty(await ReceiversAsync(anchor));
    }

    [Fact]
    public async Task Add_refuses_a_url_over_2048_bytes()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync(
            "app", "receiver", "add", "--anchor", anchor, "--url", "https://receiver.example/" + new string('a', 2048), "--format", "caep");

        run.AssertFailed("the receiver URL is longer than 2048 bytes");
    }

    [Fact]
    public async Task Add_accepts_a_loopback_receiver_while_the_setting_allows_it()
    {
        var anchor = await RegisterAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Connect"] = db.ConnectionString,
            [CliDatabase.KeyEncryptionKeySetting] = db.KeyEncryptionKey,
            [LoopbackSetting] = "true",
        };

        var run = await CliDatabase.RunWithAsync(
            settings, "app", "receiver", "add", "--anchor", anchor, "--url", "http://127.0.0.1:9000/logout", "--format", "backchannel-logout");

        Assert.Equal("http://127.0.0.1:9000/logout", run.AssertJson(Added).GetProperty("url").GetString());
    }

    [Fact]
    public async Task Add_for_an_unknown_anchor_is_refused()
    {
        var run = await db.RunAsync("app", "receiver", "add", "--anchor", "nobody-has-this-anchor", "--url", "https://receiver.example/", "--format", "caep");

        run.AssertFailed("no application has the anchor 'nobody-has-this-anchor'");
    }

    [Fact]
    public async Task Add_with_an_unknown_format_or_without_a_url_is_a_command_line_error()
    {
        var anchor = await RegisterAsync();

        var format = await db.RunAsync("app", "receiver", "add", "--anchor", anchor, "--url", "https://receiver.example/", "--format", "webhook");
        var url = await db.RunAsync("app", "receiver", "add", "--anchor", anchor, "--format", "caep");

        format.AssertFailed("webhook", exitCode: 2);
        url.AssertFailed("Option '--url' is required", exitCode: 2);
        Assert.Empty(await ReceiversAsync(anchor));
    }

    [Fact]
    public async Task Add_refuses_an_audience_with_hidden_characters()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync(
            "app", "receiver", "add", "--anchor", anchor, "--url", "https://receiver.example/", "--format", "caep", "--audience", " padded");

        run.AssertFailed("the audience must not begin or end with whitespace");
    }

    [Fact]
    public async Task Add_refuses_a_seventeenth_receiver()
    {
        var anchor = await RegisterAsync();
        for (var i = 0; i < 16; i++)
        {
            await AddAsync(anchor, $"https://receiver-{i}.example/");
        }

        var run = await db.RunAsync("app", "receiver", "add", "--anchor", anchor, "--url", "https://one-more.example/", "--format", "caep");

        run.AssertFailed($"the application '{anchor}' already has 16 receivers; remove one first");
        Assert.Equal(16, (await ReceiversAsync(anchor)).Count);
    }

    [Fact]
    public async Task List_shows_each_receiver_oldest_first_with_what_it_is_owed()
    {
        var anchor = await RegisterAsync();
        var first = await AddAsync(anchor, "https://first.example/caep");
        var second = await AddAsync(anchor, "https://second.example/logout", "backchannel-logout", "rp");
        await InsertSignalsAsync(first, "pending", 3);
        await InsertSignalsAsync(first, "dead", 2);
        await InsertSignalsAsync(second, "dead", 1);

        var run = await db.RunAsync("app", "receiver", "list", "--anchor", anchor);

        var json = run.AssertJson(Listed);
        Assert.Equal(anchor, json.GetProperty("anchor").GetString());
        var receivers = json.GetProperty("receivers").EnumerateArray().ToList();
        Assert.All(receivers, receiver => Assert.Equal(
            ["receiverId", "url", "format", "pending", "deadLetters", "audience"], receiver.EnumerateObject().Select(property => property.Name)));
        Assert.Equal(
            [(first, "https://first.example/caep", "caep", 3, 2, anchor), (second, "https://second.example/logout", "backchannel-logout", 0, 1, "rp")],
            receivers.Select(receiver => (
                receiver.GetProperty("receiverId").GetString()!, receiver.GetProperty("url").GetString()!, receiver.GetProperty("format").GetString()!,
                receiver.GetProperty("pending").GetInt32(), receiver.GetProperty("deadLetters").GetInt32(), receiver.GetProperty("audience").GetString()!)));
    }

    [Fact]
    public async Task List_of_an_application_without_receivers_is_empty_and_of_an_unknown_anchor_refused()
    {
        var anchor = await RegisterAsync();

        var none = await db.RunAsync("app", "receiver", "list", "--anchor", anchor);
        var unknown = await db.RunAsync("app", "receiver", "list", "--anchor", "nobody-has-this-anchor");

        Assert.Empty(none.AssertJson(Listed).GetProperty("receivers").EnumerateArray());
        unknown.AssertFailed("no application has the anchor 'nobody-has-this-anchor'");
    }

    [Fact]
    public async Task Remove_drops_what_the_receiver_was_owed_and_audits_how_many()
    {
        var anchor = await RegisterAsync();
        var removed = await AddAsync(anchor, "https://removed.example/");
        var kept = await AddAsync(anchor, "https://kept.example/");
        await InsertSignalsAsync(removed, "pending", 4);
        await InsertSignalsAsync(removed, "dead", 1);
        await InsertSignalsAsync(kept, "pending", 2);

        var run = await db.RunAsync("app", "receiver", "remove", "--anchor", anchor, "--receiver-id", removed);

        var json = run.AssertJson(Removed);
        Assert.Equal((anchor, removed), (json.GetProperty("anchor").GetString(), json.GetProperty("receiverId").GetString()));
        Assert.Equal([kept], (await ReceiversAsync(anchor)).Select(receiver => receiver.GetProperty("receiverId").GetString()));
        Assert.Equal(0, await SignalCountAsync(removed));
        Assert.Equal(2, await SignalCountAsync(kept));
        var audited = (await EventsAsync(anchor))[0];
        Assert.Equal(["at", "kind", "anchor", "receiverId", "signalCount"], audited.EnumerateObject().Select(property => property.Name));
        Assert.Equal(
            ("receiver_removed", removed, 5),
            (audited.GetProperty("kind").GetString(), audited.GetProperty("receiverId").GetString(), audited.GetProperty("signalCount").GetInt32()));
    }

    [Fact]
    public async Task Remove_of_a_receiver_with_nothing_owed_audits_zero()
    {
        var anchor = await RegisterAsync();
        var receiver = await AddAsync(anchor, "https://idle.example/");

        (await db.RunAsync("app", "receiver", "remove", "--anchor", anchor, "--receiver-id", receiver)).AssertJson(Removed);

        Assert.Equal(0, (await EventsAsync(anchor))[0].GetProperty("signalCount").GetInt32());
    }

    [Fact]
    public async Task Remove_refuses_an_unknown_receiver_another_applications_receiver_and_an_unknown_anchor()
    {
        var anchor = await RegisterAsync();
        var other = await RegisterAsync();
        var others = await AddAsync(other, "https://other.example/");
        var gone = await AddAsync(anchor, "https://gone.example/");
        (await db.RunAsync("app", "receiver", "remove", "--anchor", anchor, "--receiver-id", gone)).AssertJson(Removed);

        var again = await db.RunAsync("app", "receiver", "remove", "--anchor", anchor, "--receiver-id", gone);
        var foreign = await db.RunAsync("app", "receiver", "remove", "--anchor", anchor, "--receiver-id", others);
        var unknownAnchor = await db.RunAsync("app", "receiver", "remove", "--anchor", "nobody-has-this-anchor", "--receiver-id", others);
        var malformed = await db.RunAsync("app", "receiver", "remove", "--anchor", anchor, "--receiver-id", "42");

        again.AssertFailed($"the application '{anchor}' has no receiver {gone}");
        foreign.AssertFailed($"the application '{anchor}' has no receiver {others}");
        unknownAnchor.AssertFailed("no application has the anchor 'nobody-has-this-anchor'");
        malformed.AssertFailed("--receiver-id must be an id such as", exitCode: 2);
        Assert.Single(await ReceiversAsync(other));
        Assert.Equal(["receiver_removed", "receiver_added", "application_registered"], (await EventsAsync(anchor)).Select(Kind));
    }

    [Fact]
    public async Task Retry_requeues_only_that_receivers_dead_letters_with_a_fresh_deadline()
    {
        var anchor = await RegisterAsync();
        var retried = await AddAsync(anchor, "https://retried.example/");
        var other = await AddAsync(anchor, "https://other.example/");
        await InsertSignalsAsync(retried, "dead", 3, age: TimeSpan.FromHours(30));
        await InsertSignalsAsync(retried, "pending", 1, age: TimeSpan.FromHours(1));
        await InsertSignalsAsync(other, "dead", 2, age: TimeSpan.FromHours(30));

        var run = await db.RunAsync("signals", "retry", "--receiver-id", retried);

        Assert.Equal(3, run.AssertJson(Requeued).GetProperty("requeued").GetInt32());
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        var signals = (await connection.QueryAsync<(string State, bool DeadAtNull, bool DueNow, bool FreshDeadline, int Attempts)>(
            """
            SELECT state, dead_at IS NULL, next_attempt_at <= now(), committed_at > now() - interval '10 minutes', attempts
              FROM signals WHERE receiver_id = @Receiver ORDER BY id
            """,
            new { Receiver = Guid.Parse(retried) })).ToList();
        Assert.Equal(
            [("pending", true, true, true, 7), ("pending", true, true, true, 7), ("pending", true, true, true, 7), ("pending", true, false, false, 7)],
            signals);
        Assert.Equal(
            ["dead", "dead"],
            await connection.QueryAsync<string>("SELECT state FROM signals WHERE receiver_id = @Receiver", new { Receiver = Guid.Parse(other) }));
    }

    [Fact]
    public async Task Retry_of_a_receiver_without_dead_letters_requeues_none_and_of_an_unknown_one_is_refused()
    {
        var anchor = await RegisterAsync();
        var receiver = await AddAsync(anchor, "https://healthy.example/");
        await InsertSignalsAsync(receiver, "pending", 2);
        var nobody = Guid.NewGuid().ToString();

        var none = await db.RunAsync("signals", "retry", "--receiver-id", receiver);
        var unknown = await db.RunAsync("signals", "retry", "--receiver-id", nobody);
        var missing = await db.RunAsync("signals", "retry");

        Assert.Equal(0, none.AssertJson(Requeued).GetProperty("requeued").GetInt32());
        unknown.AssertFailed($"no receiver has the id {nobody}");
        missing.AssertFailed("Option '--receiver-id' is required", exitCode: 2);
    }

    [Fact]
    public async Task Audit_list_shows_a_dead_letter_with_its_receiver_and_why()
    {
        var anchor = await RegisterAsync();
        var receiver = await AddAsync(anchor, "https://broken.example/");
        await using (var connection = new NpgsqlConnection(db.ConnectionString))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO revocation_audit (application_id, kind, receiver_id, detail)
                SELECT application_id, 'signal_dead_lettered', id, 'status 410' FROM signal_receivers WHERE id = @Receiver
                """,
                new { Receiver = Guid.Parse(receiver) });
        }

        var audited = (await EventsAsync(anchor))[0];

        Assert.Equal(["at", "kind", "anchor", "receiverId", "detail"], audited.EnumerateObject().Select(property => property.Name));
        Assert.Equal(
            ("signal_dead_lettered", receiver, "status 410"),
            (audited.GetProperty("kind").GetString(), audited.GetProperty("receiverId").GetString(), audited.GetProperty("detail").GetString()));
    }

    private static string? Kind(JsonElement audited) => audited.GetProperty("kind").GetString();

    private async Task<string> RegisterAsync()
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        return anchor;
    }

    private async Task<string> AddAsync(string anchor, string url, string format = "caep", string? audience = null)
    {
        string[] args = ["app", "receiver", "add", "--anchor", anchor, "--url", url, "--format", format];
        var run = await db.RunAsync(audience is null ? args : [.. args, "--audience", audience]);
        return run.AssertJson(Added).GetProperty("receiverId").GetString()!;
    }

    private async Task<List<JsonElement>> ReceiversAsync(string anchor) =>
        [.. (await db.RunAsync("app", "receiver", "list", "--anchor", anchor)).AssertJson(Listed).GetProperty("receivers").EnumerateArray()];

    private async Task<List<JsonElement>> EventsAsync(string anchor) =>
        [.. (await db.RunAsync("audit", "list", "--anchor", anchor)).AssertJson(("events", JsonValueKind.Array)).GetProperty("events").EnumerateArray()];

    /// <summary>Signals owed to the receiver, as a revocation leaves them; dead ones after seven failed attempts.</summary>
    private async Task InsertSignalsAsync(string receiver, string state, int count, TimeSpan? age = null)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO signals (receiver_id, subject, sid, initiating_entity, ended_at, committed_at, state, attempts, next_attempt_at,
                                 last_outcome, dead_at)
            SELECT @Receiver, 'subject-' || n, 'sid-' || n, 'user', now() - @Age, now() - @Age, @State, 7,
                   now() + interval '1 minute', 'status 503', CASE WHEN @State = 'dead' THEN now() END
              FROM generate_series(1, @Count) n
            """,
            new { Receiver = Guid.Parse(receiver), State = state, Count = count, Age = age ?? TimeSpan.Zero });
    }

    private async Task<long> SignalCountAsync(string receiver)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM signals WHERE receiver_id = @Receiver", new { Receiver = Guid.Parse(receiver) });
    }
}
