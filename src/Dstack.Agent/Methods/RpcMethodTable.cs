namespace Dstack.Agent.Methods;

/// <summary>The registered methods, looked up by service and case-sensitive bare name.</summary>
internal sealed class RpcMethodTable
{
    private readonly Dictionary<(RpcService, string), IRpcMethod> _methods = [];

    /// <summary>Indexes every registered <see cref="IRpcMethod"/>.</summary>
    public RpcMethodTable(IEnumerable<IRpcMethod> methods)
    {
        foreach (var method in methods)
        {
            foreach (var service in method.Services)
            {
                if (!_methods.TryAdd((service, method.Name), method))
                {
                    throw new InvalidOperationException($"{service}.{method.Name} is registered twice");
                }
            }
        }
    }

    /// <summary>The method, or null when the service has no method of that name.</summary>
    public IRpcMethod? Find(RpcService service, string name) => _methods.GetValueOrDefault((service, name));
}
