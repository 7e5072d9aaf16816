using System.Net;
using Connect.Application.Audit;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.RevokeAll;

public sealed class RevocationAuditTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;
    private ConnectApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _api = new ConnectApiFactory(_db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRevocationAuditLog Audit => _db.Services.GetRequiredService<IRevocationAuditLog>();

    [Fact]
    public async Task A_successful_revoke_all_writes_exactly_one_audit_row_with_its_count_account_and_application()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueSessionsAsync(account, app.Id, 4);

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, subject.Value), 4);

        var audited = Assert.Single((await Audit.ListNewestFirstAsync(null, 1000, CancellationToken.None))!);
        Assert.Equal((app.Anchor, account, 4), (audited.Anchor, audited.Account, audited.RevokedCount));
    }

    [Fact]
    public async Task Unknown_subjects_and_rejected_requests_write_no_audit_row()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueSessionsAsync(account, app.Id, 2);

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, "never-issued"), 0);
        var rejected = await _api.RevokeAllAsync(app, subject.Value, jwt => jwt.Payload["aud"] = "elsewhere");

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Empty((await Audit.ListNewestFirstAsync(app.Anchor, 1000, CancellationToken.None))!);
    }
}
