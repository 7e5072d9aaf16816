using Connect.Application;
using Connect.Application.Audit;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using Connect.Testing.Seeding;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresRevocationAuditLogTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IRefreshTokenRevoker Revoker => _db.Services.GetRequiredService<IRefreshTokenRevoker>();

    private IRevocationAuditLog Audit => _db.Services.GetRequiredService<IRevocationAuditLog>();

    [Fact]
    public async Task Each_revocation_is_audited_with_the_count_it_answered_a_repeat_with_zero()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueSessionsAsync(account, app.Id, 3);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var first = await Revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);
        var repeat = await Revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);

        var events = await Audit.ListNewestFirstAsync(app.Anchor, 10, CancellationToken.None);
        Assert.Equal((3, 0), (first, repeat));
        Assert.NotNull(events);
        Assert.Equal([(app.Anchor, account, 0), (app.Anchor, account, 3)], events.Select(e => (e.Anchor, e.Account, e.RevokedCount)));
        Assert.All(events, e => Assert.InRange(e.At, before, DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.All(events, e => Assert.Equal(TimeSpan.Zero, e.At.Offset));
    }

    [Fact]
    public async Task Concurrent_revocations_audit_exactly_the_counts_they_answered()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueSessionsAsync(account, app.Id, 200);

        var counts = (await Task.WhenAll(Enumerable.Range(0, 10)
                .Select(_ => Task.Run(() => Revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None)))))
            .Select(count => count ?? throw new InvalidOperationException("The subject was not found."))
            .ToArray();

        var events = await Audit.ListNewestFirstAsync(app.Anchor, 100, CancellationToken.None);
        Assert.Equal(200, counts.Sum());
        Assert.Equal(counts.Order(), events!.Select(e => e.RevokedCount).Order());
    }

    [Fact]
    public async Task Listing_is_newest_first_limited_and_filtered_by_anchor()
    {
        var app = await _db.RegisterApplicationAsync();
        var other = await _db.RegisterApplicationAsync(sector: app.Sector);
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        for (var i = 1; i <= 3; i++)
        {
            await _db.IssueSessionsAsync(account, app.Id, i);
            await Revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);
        }

        await Revoker.RevokeAllActiveAsync(other.Sector, subject, other.Id, CancellationToken.None);

        var all = await Audit.ListNewestFirstAsync(null, 10, CancellationToken.None);
        var two = await Audit.ListNewestFirstAsync(app.Anchor, 2, CancellationToken.None);
        Assert.Equal([(other.Anchor, 0), (app.Anchor, 3), (app.Anchor, 2), (app.Anchor, 1)], all!.Select(e => (e.Anchor, e.RevokedCount)));
        Assert.Equal([3, 2], two!.Select(e => e.RevokedCount));
    }

    [Fact]
    public async Task Unknown_anchor_is_null_and_an_application_without_events_is_empty()
    {
        var quiet = await _db.RegisterApplicationAsync();

        var unknown = await Audit.ListNewestFirstAsync(new ApplicationAnchor("no-such-app"), 10, CancellationToken.None);
        var none = await Audit.ListNewestFirstAsync(quiet.Anchor, 10, CancellationToken.None);

        Assert.Null(unknown);
        Assert.NotNull(none);
        Assert.Empty(none);
    }

    [Fact]
    public async Task ListAuditEvents_runs_through_the_mediator_over_the_real_adapter()
    {
        var app = await _db.RegisterApplicationAsync();
        var (account, subject) = await _db.CreateAccountWithSubjectAsync(app.Sector);
        await _db.IssueSessionsAsync(account, app.Id, 2);
        await Revoker.RevokeAllActiveAsync(app.Sector, subject, app.Id, CancellationToken.None);
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Connect"] = _db.ConnectionString })
                .Build())
            .AddConnectApplication()
            .AddConnectInfrastructure()
            .BuildServiceProvider();
        var mediator = services.GetRequiredService<IMediator>();

        var listed = await mediator.Send(new ListAuditEventsQuery(app.Anchor));
        var unknown = await mediator.Send(new ListAuditEventsQuery(new ApplicationAnchor("no-such-app")));
        var tooMany = await mediator.Send(new ListAuditEventsQuery(Limit: ListAuditEventsQuery.MaxLimit + 1));

        Assert.Equal((account, 2), (Assert.Single(listed.Value!.Events).Account, listed.Value.Events[0].RevokedCount));
        Assert.True(unknown.Value!.UnknownAnchor);
        Assert.False(tooMany.Succeeded);
    }
}
