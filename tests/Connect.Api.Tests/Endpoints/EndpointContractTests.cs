using System.Reflection;
using Connect.Api.Endpoints;
using Connect.Api.SignIn;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Connect.Api.Tests.Endpoints;

/// <summary>Each endpoint's one description (docs/architecture.md "What an endpoint declares").</summary>
public sealed class EndpointContractTests
{
    [Fact]
    public void Every_controller_of_the_service_is_described_by_a_contract_but_the_sign_in_page()
    {
        var undescribed = typeof(Program).Assembly.GetTypes()
            .Where(type => typeof(ControllerBase).IsAssignableFrom(type) && !type.IsAbstract)
            .Where(type => EndpointContracts.Of(type) is null)
            .ToList();

        Assert.Equal([typeof(SignInPageController)], undescribed);
    }

    [Fact]
    public void Every_contract_is_consistent_and_its_route_and_operation_unique()
    {
        var contracts = EndpointContracts.All.Select(endpoint => endpoint.Contract).ToList();

        Assert.All(contracts, contract => Assert.Empty(contract.Problems()));
        Assert.Equal(contracts.Count, contracts.Select(contract => (contract.Method, contract.Route)).Distinct().Count());
        Assert.Equal(contracts.Count, contracts.Select(contract => contract.OperationId).Distinct().Count());
    }

    [Fact]
    public void A_contract_lists_only_its_own_refusals_and_a_client_JWT_must_read_the_body()
    {
        var listsDerived = Contract([ReasonCode.InvalidBody, ReasonCode.RateLimited]) with
        {
            Body = new EndpointBody(typeof(object)), Budget = EndpointBudget.ClientAddress,
        };
        var bodiless = Contract([]) with { Credential = EndpointCredential.ClientJwt, Budget = EndpointBudget.RevokeAll };
        var silentBody = Contract([ReasonCode.ApplicationNotFound]) with { Body = new EndpointBody(typeof(object)) };

        Assert.Contains(listsDerived.Problems(), problem => problem.Contains("RateLimited follows from", StringComparison.Ordinal));
        Assert.Contains(bodiless.Problems(), problem => problem.Contains("body gate", StringComparison.Ordinal));
        Assert.Contains(silentBody.Problems(), problem => problem.Contains("InvalidBody", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_a_client_JWT_endpoint_spending_revoke_alls_budget_may_record_its_client_JWT_with_its_work()
    {
        // The refund a replay found late needs revoke-all's refundable bucket, and the record needs a client JWT.
        var body = new EndpointBody(typeof(object));
        var revokeAll = Contract([ReasonCode.InvalidBody]) with
        {
            Credential = EndpointCredential.ClientJwt,
            Body = body,
            Budget = EndpointBudget.RevokeAll,
            RecordsClientJwtWithItsWork = true,
        };
        var ceiling = revokeAll with { Budget = EndpointBudget.Application };
        var noClientJwt = Contract([ReasonCode.InvalidBody]) with { Body = body, RecordsClientJwtWithItsWork = true };

        Assert.Empty(revokeAll.Problems());
        Assert.Contains(ceiling.Problems(), problem => problem.Contains("records its client JWT", StringComparison.Ordinal));
        Assert.Contains(noClientJwt.Problems(), problem => problem.Contains("records its client JWT", StringComparison.Ordinal));
    }

    [Fact]
    public void The_reasons_answered_are_the_body_gates_the_refusals_the_budgets_and_the_outages_in_that_order()
    {
        var full = Contract([ReasonCode.InvalidBody, ReasonCode.ApplicationNotFound]) with
        {
            Body = new EndpointBody(typeof(object)), Budget = EndpointBudget.ClientAddress,
        };
        var bare = Contract([ReasonCode.ApplicationNotFound]);
        var health = Contract([]) with { AnswersOutages = false };

        Assert.Equal(
            [
                ReasonCode.BodyTooLarge, ReasonCode.UnsupportedMediaType, ReasonCode.InvalidBody, ReasonCode.ApplicationNotFound,
                ReasonCode.RateLimited, ReasonCode.ServiceUnavailable, ReasonCode.InternalError,
            ],
            full.Reasons);
        Assert.Equal([ReasonCode.ApplicationNotFound, ReasonCode.ServiceUnavailable, ReasonCode.InternalError], bare.Reasons);
        Assert.Empty(health.Reasons);
        Assert.All(new[] { full, bare, health }, contract => Assert.Empty(contract.Problems()));
    }

    [Fact]
    public void Every_served_contract_answers_what_its_shape_implies()
    {
        foreach (var contract in EndpointContracts.All.Select(endpoint => endpoint.Contract))
        {
            Assert.Equal(contract.Body is not null, contract.Reasons.Contains(ReasonCode.BodyTooLarge));
            Assert.Equal(contract.Body is not null, contract.Reasons.Contains(ReasonCode.UnsupportedMediaType));
            Assert.Equal(contract.Body is not null, contract.Reasons.Contains(ReasonCode.InvalidBody));
            Assert.Equal(contract.Budget != EndpointBudget.None, contract.Reasons.Contains(ReasonCode.RateLimited));
            Assert.Equal(contract.Route != "/health", contract.Reasons.Contains(ReasonCode.ServiceUnavailable));
        }
    }

    [Fact]
    public void The_challenge_and_the_error_shape_follow_from_the_credential()
    {
        Assert.Equal(
            [
                (EndpointCredential.None, null, false),
                (EndpointCredential.ClientJwt, "SudomimusClientJWT", false),
                (EndpointCredential.ConnectClientJwt, "SudomimusClientJWT", false),
                (EndpointCredential.SessionTokenInBody, null, false),
                (EndpointCredential.BearerAccessToken, "Bearer error=\"invalid_token\"", true),
            ],
            Enum.GetValues<EndpointCredential>().Select(credential => Contract([]) with { Credential = credential })
                .Select(contract => (contract.Credential, contract.Challenge, contract.AnswersRfc6750Errors)));
    }

    [Fact]
    public void The_convention_refuses_a_contract_that_contradicts_itself()
    {
        var model = new ControllerModel(typeof(Contradicting).GetTypeInfo(), []);
        model.Actions.Add(new ActionModel(typeof(Contradicting).GetMethod(nameof(Contradicting.Act))!, []) { Selectors = { new SelectorModel() } });

        var refused = Assert.Throws<InvalidOperationException>(() => new EndpointContractConvention().Apply(model));

        Assert.Contains("RateLimited", refused.Message, StringComparison.Ordinal);
    }

    private static EndpointContract Contract(IReadOnlyList<ReasonCode> reasons) =>
        new(HttpMethods.Post, "/test", "test", typeof(object), reasons);

    // Never discovered by a running service: only this test applies the convention to it.
    [NonController]
    public sealed class Contradicting : ControllerBase, IDescribedEndpoint
    {
        static EndpointContract IDescribedEndpoint.Contract { get; } =
            Contract([ReasonCode.RateLimited]) with { Budget = EndpointBudget.ClientAddress };

        public IActionResult Act() => Ok();
    }
}
