using System.Net;
using Connect.Application.Audit;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.RevokeAll;

public sealed class RevocationAuditTests : IAsyncLifetime
{
    private readonly ConnectApi _api = new(new ConnectApiOptions { SeedApplication = false });

    public Task InitializeAsync() => _api.InitializeAsync();

    public Task DisposeAsync() => _api.DisposeAsync();

    private IRevocationAuditLog Audit => _api.Db.Services.GetRequiredService<IRevocationAuditLog>();

    [Fact]
    public async Task A_successful_revoke_all_writes_exactly_one_audit_row_with_its_count_account_and_application()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 4);

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, subject.Value), 4);

        var audited = Assert.Single((await Audit.ListNewestFirstAsync(null, 1000, CancellationToken.None))!);
        Assert.Equal((app.Anchor, account, 4), (audited.Anchor, audited.Account, audited.RevokedCount));
    }

    [Fact]
    public async Task Unknown_subjects_and_rejected_requests_write_no_audit_row()
    {
        var app = await _api.Db.RegisterApplicationAsync();
        var (account, subject) = await _api.Db.CreateAccountWithSubjectAsync(app.Sector);
        await _api.Db.IssueSessionsAsync(account, app.Id, 2);

        await ApiAssert.RevokedAsync(await _api.RevokeAllAsync(app, "never-issued"), 0);
        var rejected = await _api.RevokeAllAsync(app, subject.Value, jwt => jwt.Payload["aud"] = "elsewhere");

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Empty((await Audit.ListNewestFirstAsync(app.Anchor, 1000, CancellationToken.None))!);
    }
}
