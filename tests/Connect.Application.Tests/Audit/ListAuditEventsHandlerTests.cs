using Connect.Application.Audit;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using NSubstitute;

namespace Connect.Application.Tests.Audit;

public sealed class ListAuditEventsHandlerTests
{
    private readonly IRevocationAuditLog _audit = Substitute.For<IRevocationAuditLog>();

    [Fact]
    public async Task Passes_anchor_and_limit_to_the_log_and_returns_its_events()
    {
        var anchor = new ApplicationAnchor("app");
        AuditEvent[] events = [new(DateTimeOffset.UnixEpoch, "revoke_all", anchor, new AccountId(Guid.NewGuid()), 3)];
        _audit.ListNewestFirstAsync(anchor, 7, Arg.Any<CancellationToken>()).Returns(events);

        var outcome = await new ListAuditEventsHandler(_audit).Handle(new ListAuditEventsQuery(anchor, 7), CancellationToken.None);

        Assert.Equal(events, outcome.Value!.Events);
        Assert.False(outcome.Value.UnknownAnchor);
    }

    [Fact]
    public async Task Unknown_anchor_is_reported_as_such_with_no_events()
    {
        _audit.ListNewestFirstAsync(default, default, default).ReturnsForAnyArgs((IReadOnlyList<AuditEvent>?)null);

        var outcome = await new ListAuditEventsHandler(_audit).Handle(new ListAuditEventsQuery(new ApplicationAnchor("nope")), CancellationToken.None);

        Assert.True(outcome.Value!.UnknownAnchor);
        Assert.Empty(outcome.Value.Events);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(1000, false)]
    [InlineData(1001, true)]
    public void Limit_is_1_to_1000(int limit, bool rejected)
    {
        var result = new ListAuditEventsQueryValidator().Validate(new ListAuditEventsQuery(Limit: limit));

        Assert.Equal(rejected, !result.IsValid);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("app", false)]
    public void Anchor_when_given_is_not_empty(string anchor, bool rejected)
    {
        var result = new ListAuditEventsQueryValidator().Validate(new ListAuditEventsQuery(new ApplicationAnchor(anchor)));

        Assert.Equal(rejected, !result.IsValid);
    }

    [Fact]
    public void Default_query_lists_50_of_every_application()
    {
        var query = new ListAuditEventsQuery();

        Assert.Equal((null, 50), (query.Anchor, query.Limit));
        Assert.True(new ListAuditEventsQueryValidator().Validate(query).IsValid);
    }
}
