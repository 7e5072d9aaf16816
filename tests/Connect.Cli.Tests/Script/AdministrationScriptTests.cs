using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Connect.Application.SigningKeys;
using Connect.Testing.Postgres;
using Xunit.Abstractions;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// Administrative commands through the real <c>./connect</c>, as an operator scripts them: stdout carries only
/// each command's JSON and stderr nothing (no build chatter); a failing command says one line. docs/contract/cli.md,
/// "Administration". The time the ten commands took is printed for information, never asserted.
/// </summary>
public sealed class AdministrationScriptTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("connect-script-tests-").FullName;

    public void Dispose() => Directory.Delete(_files, recursive: true);

    [Fact]
    public async Task Ten_commands_in_a_row_print_only_their_json_and_nothing_on_stderr()
    {
        var environment = await DatabaseAsync();
        using var key = RSA.Create(2048);
        using var nextKey = RSA.Create(2048);
        var anchor = CliDatabase.NewAnchor();
        await ConnectScript.RunAsync(environment, "sector", "create"); // builds the CLI if this checkout needs it

        var timer = Stopwatch.StartNew();
        (await RunAsync(environment, "sector", "create")).AssertJson(("sectorId", JsonValueKind.String));
        (await RunAsync(environment, "app", "register", "--anchor", anchor, "--public-key", WriteKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        var account = (await RunAsync(environment, "account", "create"))
            .AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetString()!;
        (await RunAsync(environment, "subject", "issue", "--account", account, "--anchor", anchor))
            .AssertJson(("subject", JsonValueKind.String));
        (await RunAsync(environment, "app", "key", "add", "--anchor", anchor, "--public-key", WriteKey(nextKey)))
            .AssertJson(("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String));
        (await RunAsync(environment, "app", "disable", "--anchor", anchor))
            .AssertJson(("anchor", JsonValueKind.String), ("enabled", JsonValueKind.False));
        (await RunAsync(environment, "app", "enable", "--anchor", anchor))
            .AssertJson(("anchor", JsonValueKind.String), ("enabled", JsonValueKind.True));
        (await RunAsync(environment, "session", "count", "--account", account, "--anchor", anchor))
            .AssertJson(("active", JsonValueKind.Number), ("revoked", JsonValueKind.Number), ("expired", JsonValueKind.Number));
        (await RunAsync(environment, "audit", "list", "--anchor", anchor)).AssertJson(("events", JsonValueKind.Array));
        (await RunAsync(environment, "account", "create")).AssertJson(("accountId", JsonValueKind.String));
        timer.Stop();

        output.WriteLine($"ten administrative commands through ./connect took {timer.Elapsed.TotalSeconds:F1} s in all");
    }

    [Fact]
    public async Task Receiver_commands_print_only_their_json_and_refuse_a_private_address_in_one_line()
    {
        var environment = await DatabaseAsync();
        using var key = RSA.Create(2048);
        var anchor = CliDatabase.NewAnchor();
        (await RunAsync(environment, "app", "register", "--anchor", anchor, "--public-key", WriteKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));

        var added = await RunAsync(
            environment, "app", "receiver", "add", "--anchor", anchor, "--url", "https://receiver.example/caep", "--format", "caep");
        var refused = await RunAsync(
            environment, "app", "receiver", "add", "--anchor", anchor, "--url", "https://169.254.169.254/", "--format", "caep");
        var status = await RunAsync(environment, "signals", "status");

        var receiverId = added.AssertJson(
            ("anchor", JsonValueKind.String), ("receiverId", JsonValueKind.String), ("url", JsonValueKind.String),
            ("format", JsonValueKind.String), ("audience", JsonValueKind.String)).GetProperty("receiverId").GetString();
        refused.AssertFailed("is private, link-local, unspecified or otherwise not public");
        var listed = Assert.Single(status.AssertJson(
            ("pending", JsonValueKind.Number), ("oldestPendingSeconds", JsonValueKind.Number), ("deadLetters", JsonValueKind.Number),
            ("receivers", JsonValueKind.Array)).GetProperty("receivers").EnumerateArray());
        Assert.Equal(receiverId, listed.GetProperty("receiverId").GetString());
    }

    [Fact]
    public async Task A_failing_command_prints_exactly_one_line_on_stderr()
    {
        var environment = await DatabaseAsync();
        var garbage = Path.Combine(_files, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "garbage");

        var run = await ConnectScript.RunAsync(
            environment, "app", "register", "--anchor", CliDatabase.NewAnchor(), "--public-key", garbage);

        run.AssertFailed("invalid public key");
    }

    [Fact]
    public async Task A_bad_command_line_prints_exactly_one_line_on_stderr()
    {
        var run = await ConnectScript.RunAsync(await DatabaseAsync(), "app", "register", "--anchor");

        run.AssertFailed("--anchor", exitCode: 2);
    }

    private async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var timer = Stopwatch.StartNew();
        var run = await ConnectScript.RunAsync(environment, args);
        output.WriteLine($"{timer.Elapsed.TotalSeconds,5:F2} s  ./connect {string.Join(' ', args)}");
        return run;
    }

    // A configured database, as an operator runs one: its connection string and the key-encryption key that
    // registering an application (its first token-signing key) needs.
    private static async Task<Dictionary<string, string?>> DatabaseAsync() => new()
    {
        ["ConnectionStrings__Connect"] = await PostgresServer.CreateMigratedDatabaseAsync(),
        ["Connect__SigningKeys__KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
    };

    private string WriteKey(RSA key)
    {
        var path = Path.Combine(_files, $"{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem());
        return path;
    }
}
