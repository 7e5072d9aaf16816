namespace Connect.Api.Endpoints;

/// <summary>
/// Applies each described endpoint's <see cref="EndpointContract"/> to its one action, once, when the application
/// model is built: the route, method and name; the contract itself as endpoint metadata (what the body gate,
/// <c>ReasonResponse</c>, <c>JsonAnswer</c>, the OpenAPI transformer and <c>EndpointObserver</c> read); the client-JWT
/// requirement; the client address's rate-limiting policy; the budget spent after a client JWT; and the 200 body and
/// the words of the OpenAPI document. Nothing here names an endpoint.
/// </summary>
internal sealed class EndpointContractConvention : IControllerModelConvention
{
    public void Apply(ControllerModel controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        if (EndpointContracts.Of(controller.ControllerType) is not { } contract)
        {
            return;
        }

        var name = controller.ControllerType.Name;
        var problems = contract.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"{name}: {string.Join(" ", problems)}");
        }

        // One endpoint per controller, and the contract is its only description: a route attribute beside it would
        // be a second one that could disagree.
        if (controller.Actions is not [var action] || action.Selectors is not [var selector] || selector.AttributeRouteModel is not null
            || controller.Selectors.Any(model => model.AttributeRouteModel is not null))
        {
            throw new InvalidOperationException($"{name} describes one endpoint: exactly one action, with no route attribute.");
        }

        selector.AttributeRouteModel = new AttributeRouteModel { Template = contract.Route, Name = contract.OperationId };
        selector.ActionConstraints.Add(new HttpMethodActionConstraint([contract.Method]));
        var metadata = selector.EndpointMetadata;
        metadata.Add(new HttpMethodMetadata([contract.Method]));
        metadata.Add(contract);
        if (contract.Body is { } body)
        {
            metadata.Add(body);
        }

        if (contract.AuthenticatesByClientJwt)
        {
            metadata.Add(new AuthorizeAttribute { AuthenticationSchemes = ClientJwtPolicy.Scheme });
        }

        switch (contract.Budget)
        {
            case EndpointBudget.ClientAddress:
                metadata.Add(new EnableRateLimitingAttribute(AddressBudget.Policy));
                break;
            case EndpointBudget.Application or EndpointBudget.RevokeAll:
                action.Filters.Add(new ClientJwtBudgetFilter(contract));
                break;
        }

        if (contract.Summary is { } summary)
        {
            metadata.Add(new EndpointSummaryAttribute(summary));
        }

        if (contract.Description is { } description)
        {
            metadata.Add(new EndpointDescriptionAttribute(description));
        }

        if (contract.Group is { } group)
        {
            metadata.Add(new TagsAttribute(group));
        }

        action.Filters.Add(new ProducesResponseTypeAttribute(contract.Answer, StatusCodes.Status200OK, "application/json"));
    }
}
