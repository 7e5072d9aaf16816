using System.Collections.Concurrent;
using System.Diagnostics;

namespace Connect.Api.Tests.Observability;

public sealed class RevokeAllTracingTests
{
    [Fact]
    public async Task A_revocation_is_traced_through_the_handler_into_the_database()
    {
        await using var api = await ConnectApi.StartAsync();
        var (db, app) = (api.Db, api.App);
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 1);
        // Our own trace id on the request picks this request's spans out of every other test's.
        var trace = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Connect" or "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == trace)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var body = Testing.ClientJwts.RevokeAllBodies.For(subject.Value);
        var request = ConnectApiFactory.Request(
            new Testing.ClientJwts.TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body).AuthorizationHeader(), body);
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");

        await ApiAssert.RevokedAsync(await api.Client.SendAsync(request), 1);

        var handler = await ObservabilityHarness.EventuallyAsync(() => spans.FirstOrDefault(span => span.Source.Name == "Connect"));
        Assert.Equal("RevokeAll", handler.OperationName);
        Assert.Equal(app.Anchor.Value, handler.GetTagItem("connect.application.anchor"));
        Assert.Equal(1, handler.GetTagItem("connect.revoked_count"));
        var database = spans.Where(span => span.Source.Name == "Npgsql").ToList();
        Assert.Contains(database, span => span.ParentSpanId == handler.SpanId);
        Assert.DoesNotContain(spans, span => span.TagObjects.Any(tag => tag.Value?.ToString()?.Contains(subject.Value, StringComparison.Ordinal) == true));
    }
}
