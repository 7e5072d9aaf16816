using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Connect.Application.Administration;
using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Accounts;
using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Sessions;

/// <summary>
/// A disabled, enabled again or deleted account (docs/contract/sign-in.md, "Accounts that people own"), as
/// <c>/refresh</c>, <c>/introspect</c>, <c>/userinfo</c> and <c>/claim-state</c> answer its sessions.
/// </summary>
public sealed class AccountStateTests : IClassFixture<SessionEndpoints>
{
    private readonly SessionEndpoints _api;

    public AccountStateTests(SessionEndpoints api) => _api = api;

    [Fact]
    public async Task Disabled_accounts_sessions_refuse_refresh_with_AccountDisabled_and_are_not_active()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);

        Assert.Equal(AccountStatus.Disabled, await SetEnabledAsync(session.Account, enabled: false));

        await SessionAssert.ReasonAsync(await RefreshAsync(session.RefreshToken), HttpStatusCode.Forbidden, "AccountDisabled");
        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "revoked");
        await SessionAssert.InvalidTokenAsync(await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}"));
        await SessionAssert.InvalidTokenAsync(await _api.GetAsync("/claim-state", $"Bearer {session.AccessToken}"));
        Assert.Equal(new SessionRow(1, Revoked: false, null), await _api.RowAsync(session.Sid));
    }

    [Fact]
    public async Task Enabling_the_account_again_restores_its_sessions_where_they_were()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await SetEnabledAsync(session.Account, enabled: false);
        await SessionAssert.ReasonAsync(await RefreshAsync(session.RefreshToken), HttpStatusCode.Forbidden, "AccountDisabled");

        Assert.Equal(AccountStatus.Enabled, await SetEnabledAsync(session.Account, enabled: true));

        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "active");
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync("/userinfo", $"Bearer {session.AccessToken}")).StatusCode);
        var refreshed = await RefreshAsync(session.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(new SessionRow(2, Revoked: false, null), await _api.RowAsync(session.Sid));
    }

    [Fact]
    public async Task Disabled_accounts_session_can_still_be_logged_out_and_stays_ended_after_enabling()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await SetEnabledAsync(session.Account, enabled: false);

        await SessionAssert.LogoutAsync(await _api.LogoutAsync(session.RefreshToken), revoked: true);
        await SetEnabledAsync(session.Account, enabled: true);

        Assert.Equal(new SessionRow(1, Revoked: true, "logout"), await _api.RowAsync(session.Sid));
        await SessionAssert.ReasonAsync(await RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
        await SessionAssert.StatusAsync(await _api.IntrospectAsync(session.AccessToken), "revoked");
    }

    [Fact]
    public async Task Revoked_before_disabled_keeps_answering_RefreshTokenRevoked()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await _api.LogoutAsync(session.RefreshToken);

        await SetEnabledAsync(session.Account, enabled: false);

        await SessionAssert.ReasonAsync(await RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
    }

    [Fact]
    public async Task Deleted_accounts_sessions_answer_as_revoked_ones_in_every_application()
    {
        var (first, second) = await _api.SharedApplicationsAsync();
        var session = await _api.IssueAsync(first);
        var elsewhere = await _api.IssueAsync(second, account: session.Account);
        var subjectsBefore = await SubjectCountAsync(session.Account);

        var deletion = await _api.Db.Accounts.DeleteAsync(session.Account, CancellationToken.None);

        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.Deleted, 2), deletion);
        foreach (var ended in new[] { session, elsewhere })
        {
            await SessionAssert.ReasonAsync(await RefreshAsync(ended.RefreshToken), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
            await SessionAssert.StatusAsync(await _api.IntrospectAsync(ended.AccessToken), "revoked");
            await SessionAssert.InvalidTokenAsync(await _api.GetAsync("/userinfo", $"Bearer {ended.AccessToken}"));
            await SessionAssert.InvalidTokenAsync(await _api.GetAsync("/claim-state", $"Bearer {ended.AccessToken}"));
            Assert.Equal(new SessionRow(1, Revoked: true, "revoke_all"), await _api.RowAsync(ended.Sid));
        }

        Assert.Equal(2, subjectsBefore);
        Assert.Equal(0, await SubjectCountAsync(session.Account));
        Assert.Equal(
            new (string, Guid?, int?)[] { ("account_deleted", null, 2), ("revoke_all", first.Id.Value, 1), ("revoke_all", second.Id.Value, 1) }
                .OrderBy(row => row.ToString(), StringComparer.Ordinal),
            (await AuditAsync(session.Account)).OrderBy(row => row.ToString(), StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deleting_twice_is_refused_and_changes_nothing()
    {
        var session = await _api.IssueAsync((await _api.SharedApplicationsAsync()).First);
        await _api.Db.Accounts.DeleteAsync(session.Account, CancellationToken.None);
        var before = await _api.SnapshotAsync();

        var again = await _api.Db.Accounts.DeleteAsync(session.Account, CancellationToken.None);

        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.AlreadyDeleted, 0), again);
        Assert.Equal(before, await _api.SnapshotAsync());
    }

    [Fact]
    public async Task Deleted_account_is_never_enabled_again_and_gets_no_new_session()
    {
        var app = (await _api.SharedApplicationsAsync()).First;
        var session = await _api.IssueAsync(app);
        await _api.Db.Accounts.DeleteAsync(session.Account, CancellationToken.None);

        Assert.Equal(AccountStatus.Deleted, await SetEnabledAsync(session.Account, enabled: true));
        Assert.Null(await _api.Db.Accounts.IssueSubjectAsync(session.Account, app.Sector, CancellationToken.None));
        Assert.Equal(AccountStatus.Deleted, await _api.Db.Accounts.GetStatusAsync(session.Account, CancellationToken.None));
        await SessionAssert.ReasonAsync(await RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
    }

    [Fact]
    public async Task Revoke_all_naming_a_deleted_accounts_old_subject_revokes_nothing()
    {
        var app = (await _api.SharedApplicationsAsync()).First;
        var session = await _api.IssueAsync(app);
        await _api.Db.Accounts.DeleteAsync(session.Account, CancellationToken.None);
        var before = await _api.SnapshotAsync();

        var outcome = await _api.Services.GetRequiredService<IMediator>().Send(
            new RevokeAllCommand(new AuthenticatedApplication(app.Id, app.Anchor, app.Sector), session.Subject));

        Assert.Equal(0, outcome.Value?.RevokedCount);
        Assert.Equal(before, await _api.SnapshotAsync());
    }

    /// <summary>
    /// Refreshes of the account's sessions run while it is deleted: every refresh sent after the delete answered is
    /// refused as revoked, every session ends revoked, and a rotation that won before the delete is revoked with it.
    /// </summary>
    [Fact]
    public async Task Delete_racing_refreshes_leaves_no_live_session_and_no_refresh_succeeds_after_it()
    {
        var app = await _api.RegisterAsync();
        var (account, _) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        var sessions = new List<IssuedTestSession>();
        for (var i = 0; i < 4; i++)
        {
            sessions.Add(await _api.IssueAsync(app, account: account));
        }

        var firstRotation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deleteAnswered = 0;
        var unexpected = new ConcurrentBag<string>();
        var lastTokens = new ConcurrentBag<(string Refresh, string Access)>();

        var refreshers = sessions.Select(session => Task.Run(async () =>
        {
            var (refresh, access) = (session.RefreshToken, session.AccessToken);
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var sentAfterDelete = Volatile.Read(ref deleteAnswered) == 1;
                var response = await RefreshAsync(refresh);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    if (sentAfterDelete)
                    {
                        unexpected.Add("a refresh sent after the delete answered 200");
                    }

                    using var answer = JsonDocument.Parse(body);
                    (refresh, access) = (answer.RootElement.GetProperty("refreshToken").GetString()!,
                        answer.RootElement.GetProperty("accessToken").GetString()!);
                    firstRotation.TrySetResult();
                    continue;
                }

                if ((response.StatusCode, body) != (HttpStatusCode.Unauthorized, """{"reason":"RefreshTokenRevoked"}"""))
                {
                    unexpected.Add($"{(int)response.StatusCode} {body}");
                }

                lastTokens.Add((refresh, access));
                return;
            }

            unexpected.Add("a session kept refreshing after its account was deleted");
        })).ToList();

        await firstRotation.Task;
        var deletion = await _api.Db.Accounts.DeleteAsync(account, CancellationToken.None);
        Volatile.Write(ref deleteAnswered, 1);
        await Task.WhenAll(refreshers);

        Assert.Empty(unexpected);
        Assert.Equal(new AccountDeletion(AccountDeletionOutcome.Deleted, 4), deletion);
        Assert.Equal(new SessionCounts(0, 4, 0), await _api.Db.CountSessionsAsync(account, app.Id));
        foreach (var (refresh, access) in lastTokens)
        {
            await SessionAssert.ReasonAsync(await RefreshAsync(refresh), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
            await SessionAssert.StatusAsync(await _api.IntrospectAsync(access), "revoked");
        }

        Assert.Equal([("account_deleted", null, 4), ("revoke_all", app.Id.Value, 4)], await AuditAsync(account));
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        _api.PostAsync("/refresh", $$"""{"refreshToken":"{{refreshToken}}"}""");

    private Task<AccountStatus> SetEnabledAsync(AccountId account, bool enabled) =>
        _api.Db.Accounts.SetEnabledAsync(account, enabled, CancellationToken.None);

    private async Task<long> SubjectCountAsync(AccountId account)
    {
        await using var connection = new NpgsqlConnection(_api.Db.ConnectionString);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM sector_subjects WHERE account_id = @Account", new { Account = account.Value });
    }

    /// <summary>The account's audit rows that end sessions: kind, application, count; the account's own row first.</summary>
    private async Task<List<(string Kind, Guid? Application, int? Count)>> AuditAsync(AccountId account)
    {
        await using var connection = new NpgsqlConnection(_api.Db.ConnectionString);
        var rows = await connection.QueryAsync<(string, Guid?, int?)>(
            """
            SELECT kind, application_id, revoked_count FROM revocation_audit
             WHERE account_id = @Account AND revoked_count IS NOT NULL
             ORDER BY application_id NULLS FIRST, application_id
            """,
            new { Account = account.Value });
        return [.. rows];
    }
}
