using System.Security.Cryptography;
using System.Text.Json;
using Connect.Application.Inquiries;
using Connect.Domain.Applications;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Cli.Tests;

public sealed class InquiryCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    [Fact]
    public async Task Inquiry_realize_binds_the_account_and_is_audited_as_operator()
    {
        var (account, application, exposureKey) = await PendingInquiryAsync();

        var run = await db.RunAsync("inquiry", "realize", "--exposure-key", exposureKey, "--account", account);

        Assert.True(run.AssertJson(("realized", JsonValueKind.True)).GetProperty("realized").GetBoolean());
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        Assert.Equal(
            Guid.Parse(account),
            await connection.ExecuteScalarAsync<Guid>("SELECT account_id FROM inquiries WHERE exposure_key = @exposureKey", new { exposureKey }));
        Assert.Equal(
            "operator",
            await connection.ExecuteScalarAsync<string>(
                "SELECT detail FROM revocation_audit WHERE kind = 'inquiry_realized' AND application_id = @Application",
                new { Application = application.Value }));
    }

    [Fact]
    public async Task Inquiry_realize_refuses_a_realized_or_unknown_inquiry_with_one_line()
    {
        var (account, _, exposureKey) = await PendingInquiryAsync();
        await db.RunAsync("inquiry", "realize", "--exposure-key", exposureKey, "--account", account);

        var again = await db.RunAsync("inquiry", "realize", "--exposure-key", exposureKey, "--account", account);
        var unknown = await db.RunAsync("inquiry", "realize", "--exposure-key", InquiryKeys.NewKey(), "--account", account);
        var stranger = await db.RunAsync("inquiry", "realize", "--exposure-key", (await PendingInquiryAsync()).ExposureKey, "--account", Guid.NewGuid().ToString());

        again.AssertFailed("Someone has already signed in with this request.");
        unknown.AssertFailed("This sign-in request does not exist.");
        stranger.AssertFailed("This account does not exist.");
    }

    [Theory]
    [InlineData("--account", "not-a-guid")]
    [InlineData("--exposure-key")]
    [InlineData()]
    public async Task Inquiry_realize_with_a_bad_command_line_exits_2(params string[] rest)
    {
        var (account, _, exposureKey) = await PendingInquiryAsync();
        var args = rest.Length switch
        {
            2 => new[] { "inquiry", "realize", "--exposure-key", exposureKey, rest[0], rest[1] },
            1 => ["inquiry", "realize", "--account", account, rest[0]],
            _ => ["inquiry", "realize", "--account", account],
        };

        var run = await db.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        Assert.Null(await connection.ExecuteScalarAsync<Guid?>(
            "SELECT account_id FROM inquiries WHERE exposure_key = @exposureKey", new { exposureKey }));
    }

    /// <summary>An account, an application and an inquiry it opened, as /establish stores one.</summary>
    private async Task<(string Account, AppId Application, string ExposureKey)> PendingInquiryAsync()
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        var account = (await db.RunAsync("account", "create"))
            .AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetString()!;
        var application = (await db.FindApplicationAsync(anchor))!.Id;
        var exposureKey = InquiryKeys.NewKey();
        var now = DateTimeOffset.UtcNow;
        await db.Services.GetRequiredService<IInquiryStore>().CreateAsync(
            new NewInquiry(
                Guid.CreateVersion7(), application, exposureKey, InquiryKeys.Hash(InquiryKeys.NewKey()), null, null, null, null,
                now, now.AddMinutes(10)),
            CancellationToken.None);
        return (account, application, exposureKey);
    }
}
