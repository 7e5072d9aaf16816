using Connect.Application.Administration;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// What an attacker faces: the <see cref="ConnectApi"/> fixture on a loopback Kestrel port (real framing, header
/// parsing and limits), with its one registered application, and a fake clock that stands still at a whole second
/// so that every time boundary is exact. Shared by the tests of one attack group,
/// which run one at a time; each test takes a victim account of its own.
/// </summary>
public sealed class AttackTarget() : ConnectApi(new ConnectApiOptions
{
    Loopback = true,
    Unthrottled = true,
    Clock = StillClock(),
    Settings = new Dictionary<string, string?>
    {
        // Replay records must stay put while a group counts them.
        ["Connect:Postgres:ReplayPurgeInterval"] = "1.00:00:00",
    },
})
{
    /// <summary>A new account in the application's sector with two active sessions under the application.</summary>
    public async Task<Victim> NewVictimAsync(TestApplication? app = null)
    {
        var owner = app ?? App;
        var (account, subject) = await Db.CreateAccountWithSubjectAsync(owner.Sector);
        await Db.IssueSessionsAsync(account, owner.Id, 2);
        return new Victim(owner, account, subject.Value, RevokeAllBodies.For(subject.Value), await ReplayRecordsAsync(owner.Id));
    }

    public Task<HttpResponseMessage> SendAsync(string? authorization, byte[] body, string contentType = "application/json") =>
        SendRevokeAllAsync(authorization, body, contentType);

    public Task<HttpResponseMessage> SendAsync(TestClientJwt jwt, byte[] body) => SendAsync(jwt.AuthorizationHeader(), body);

    /// <summary>The raw request bytes to the loopback port, for what HttpClient would not send.</summary>
    public Task<RawResponse> SendRawAsync(byte[] request) => RawHttp.SendAsync(BaseAddress, request);

    /// <summary>Replay records (one per accepted jti) held for <paramref name="application"/>.</summary>
    public async Task<long> ReplayRecordsAsync(AppId application)
    {
        await using var connection = await Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM client_jwt_replays WHERE application_id = @Application",
            new { Application = application.Value });
    }

    /// <summary>Nothing changed: both sessions still active, and no jti burned beyond <paramref name="burned"/>.</summary>
    public async Task AssertUntouchedAsync(Victim victim, int burned = 0)
    {
        ArgumentNullException.ThrowIfNull(victim);
        Assert.Equal(new SessionCounts(2, 0, 0), await Db.CountSessionsAsync(victim.Account, victim.App.Id));
        Assert.Equal(victim.ReplaysBefore + burned, await ReplayRecordsAsync(victim.App.Id));
    }

    /// <summary>The legitimate outcome: both sessions revoked, counted in the answer, and one jti recorded.</summary>
    public async Task AssertRevokedAsync(Victim victim, HttpResponseMessage response, int burned = 1)
    {
        ArgumentNullException.ThrowIfNull(victim);
        await ApiAssert.RevokedAsync(response, 2);
        Assert.Equal(new SessionCounts(0, 2, 0), await Db.CountSessionsAsync(victim.Account, victim.App.Id));
        Assert.Equal(victim.ReplaysBefore + burned, await ReplayRecordsAsync(victim.App.Id));
    }

    /// <summary>
    /// The genuine request, sent after an attack that carried (a variant of) its token: it must still succeed,
    /// which proves the attack burned nothing.
    /// </summary>
    public async Task AssertGenuineStillAcceptedAsync(Victim victim, string token)
    {
        ArgumentNullException.ThrowIfNull(victim);
        var response = await SendAsync($"SudomimusClientJWT {token}", victim.Body);
        await AssertRevokedAsync(victim, response);
    }
}

/// <summary>
/// One test's target: an account with two sessions under <paramref name="App"/>, its subject, the body naming
/// it, and how many replay records the application held before the attack.
/// </summary>
public sealed record Victim(TestApplication App, AccountId Account, string Subject, byte[] Body, long ReplaysBefore);
