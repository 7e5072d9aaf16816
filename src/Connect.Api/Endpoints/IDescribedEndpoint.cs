namespace Connect.Api.Endpoints;

/// <summary>
/// A controller that is one endpoint, described by its <see cref="EndpointContract"/>. Its one action carries no
/// route, method or other attribute: <see cref="EndpointContractConvention"/> applies the contract.
/// </summary>
internal interface IDescribedEndpoint
{
    static abstract EndpointContract Contract { get; }
}

/// <summary>The contracts of the described endpoints, found by their type (a static abstract member, no member name).</summary>
internal static class EndpointContracts
{
    /// <summary>Every endpoint of the service's own assembly that describes itself, in the assembly's order.</summary>
    public static IReadOnlyList<(Type Controller, EndpointContract Contract)> All { get; } =
    [
        .. typeof(EndpointContracts).Assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IDescribedEndpoint).IsAssignableFrom(type))
            .Select(type => (type, Of(type)!)),
    ];

    /// <summary>The contract of <paramref name="controller"/>, or <c>null</c> when it does not describe itself.</summary>
    public static EndpointContract? Of(Type controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        return typeof(IDescribedEndpoint).IsAssignableFrom(controller)
            ? ((IContractSource)Activator.CreateInstance(typeof(ContractSource<>).MakeGenericType(controller))!).Contract
            : null;
    }

    private interface IContractSource
    {
        EndpointContract Contract { get; }
    }

    private sealed class ContractSource<TEndpoint> : IContractSource
        where TEndpoint : IDescribedEndpoint
    {
        public EndpointContract Contract => TEndpoint.Contract;
    }
}
