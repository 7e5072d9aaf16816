using Connect.Application.Audit;
using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

/// <summary>
/// Every audit kind added for sign-in (migration 0010) is listed, with the fields it has: rows without an application
/// too, which an inner join on applications would hide. The sign-in rows are written here by hand, as their slices
/// will write them.
/// </summary>
public sealed class SignInAuditListingTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IRevocationAuditLog Audit => _db.Services.GetRequiredService<IRevocationAuditLog>();

    [Fact]
    public async Task Sign_in_and_account_kinds_are_listed_with_and_without_an_application()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, _) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        var sid = new SessionId(Guid.NewGuid().ToString("N"));
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await _db.Services.GetRequiredService<ISessionStore>().IssueAsync(
            new NewSessions(account, app.Id, now, now.AddHours(1), "kid", [(sid, "jti")]), CancellationToken.None);
        await using (var connection = new NpgsqlConnection(_db.ConnectionString))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO revocation_audit (application_id, account_id, kind, detail) VALUES (@App, NULL, 'application_updated', NULL);
                INSERT INTO revocation_audit (application_id, account_id, kind, detail) VALUES (@App, @Account, 'inquiry_realized', 'operator');
                INSERT INTO revocation_audit (application_id, account_id, kind, session_id)
                SELECT @App, @Account, 'inquiry_redeemed', id FROM sessions WHERE sid = @Sid;
                INSERT INTO revocation_audit (application_id, account_id, kind) VALUES (NULL, @Account, 'passkey_added');
                INSERT INTO revocation_audit (application_id, account_id, kind) VALUES (@App, @Account, 'passkey_removed');
                """,
                new { App = app.Id.Value, Account = account.Value, Sid = sid.Value });
        }

        await _db.Accounts.SetEnabledAsync(account, false, CancellationToken.None);
        await _db.Accounts.SetEnabledAsync(account, true, CancellationToken.None);
        await _db.Accounts.DeleteAsync(account, CancellationToken.None);

        var all = (await Audit.ListNewestFirstAsync(null, 100, CancellationToken.None))!;
        var ofApplication = (await Audit.ListNewestFirstAsync(app.Anchor, 100, CancellationToken.None))!;

        Assert.Equal(
            new (string, string?, bool, int, string?, string?)[]
            {
                (AuditKinds.AccountDeleted, null, true, 1, null, null),
                (AuditKinds.RevokeAll, app.Anchor.Value, true, 1, null, null),
                (AuditKinds.AccountEnabled, null, true, 0, null, null),
                (AuditKinds.AccountDisabled, null, true, 0, null, null),
                (AuditKinds.PasskeyRemoved, app.Anchor.Value, true, 0, null, null),
                (AuditKinds.PasskeyAdded, null, true, 0, null, null),
                (AuditKinds.InquiryRedeemed, app.Anchor.Value, true, 0, sid.Value, null),
                (AuditKinds.InquiryRealized, app.Anchor.Value, true, 0, null, "operator"),
                (AuditKinds.ApplicationUpdated, app.Anchor.Value, false, 0, null, null),
            },
            all.Select(e => (e.Kind, e.Anchor?.Value, e.Account is not null, e.RevokedCount, e.SessionId, e.Detail)));
        Assert.Equal(
            all.Where(e => e.Anchor == app.Anchor).Select(e => e.Kind),
            ofApplication.Select(e => e.Kind));
    }
}
