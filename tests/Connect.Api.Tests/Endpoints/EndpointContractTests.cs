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
    public void A_budget_must_list_RateLimited_and_a_client_JWT_must_read_the_body()
    {
        var unlisted = Contract([ReasonCode.InternalError]) with { Budget = EndpointBudget.ClientAddress };
        var bodiless = Contract([ReasonCode.RateLimited]) with { Credential = EndpointCredential.ClientJwt, Budget = EndpointBudget.RevokeAll };
        var unspent = Contract([ReasonCode.RateLimited]);

        Assert.Contains(unlisted.Problems(), problem => problem.Contains("RateLimited", StringComparison.Ordinal));
        Assert.Contains(bodiless.Problems(), problem => problem.Contains("body gate", StringComparison.Ordinal));
        Assert.Contains(unspent.Problems(), problem => problem.Contains("no budget", StringComparison.Ordinal));
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
            Contract([ReasonCode.InternalError]) with { Budget = EndpointBudget.ClientAddress };

        public IActionResult Act() => Ok();
    }
}
