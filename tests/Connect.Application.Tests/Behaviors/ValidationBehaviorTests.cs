using Connect.Application.Behaviors;
using Connect.Domain.Outcomes;
using FluentValidation;

namespace Connect.Application.Tests.Behaviors;

/// <summary>
/// The validation behaviour runs every validator before the handler, and a refusal keeps the handler from running,
/// whether the validator's rules are synchronous (all of Connect's) or asynchronous (issue 21 measured running them
/// synchronously and kept the asynchronous path: docs/performance.md, "The framework tax: what was tried").
/// </summary>
public sealed class ValidationBehaviorTests
{
    private sealed record Probe(string? Name);

    private sealed class SyncValidator : AbstractValidator<Probe>
    {
        public SyncValidator() => RuleFor(probe => probe.Name).NotEmpty();
    }

    private sealed class AsyncValidator : AbstractValidator<Probe>
    {
        public AsyncValidator() => RuleFor(probe => probe.Name).MustAsync(async (name, cancellationToken) =>
        {
            await Task.Yield();
            return name != "refused";
        });
    }

    private static async Task<(Outcome<int> Outcome, bool HandlerRan)> SendAsync(Probe probe, params IValidator<Probe>[] validators)
    {
        var ran = false;
        var behavior = new ValidationBehavior<Probe, Outcome<int>>(validators);
        var outcome = await behavior.Handle(probe, CancellationToken.None, () =>
        {
            ran = true;
            return Task.FromResult<Outcome<int>>(7);
        });
        return (outcome, ran);
    }

    [Fact]
    public async Task Valid_request_reaches_the_handler()
    {
        var (outcome, ran) = await SendAsync(new Probe("fine"), new SyncValidator());

        Assert.True(ran);
        Assert.Equal(7, outcome.Value);
    }

    [Fact]
    public async Task Invalid_request_is_rejected_without_the_handler()
    {
        var (outcome, ran) = await SendAsync(new Probe(""), new SyncValidator());

        Assert.False(ran);
        Assert.Equal(ReasonCode.InvalidBody, outcome.Failure);
    }

    [Theory]
    [InlineData("fine", true)]
    [InlineData("refused", false)]
    public async Task Validator_with_an_asynchronous_rule_still_decides(string name, bool reachesHandler)
    {
        var (outcome, ran) = await SendAsync(new Probe(name), new SyncValidator(), new AsyncValidator());

        Assert.Equal(reachesHandler, ran);
        Assert.Equal(reachesHandler, outcome.Succeeded);
    }
}
