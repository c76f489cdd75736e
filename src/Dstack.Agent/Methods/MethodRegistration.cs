using Microsoft.Extensions.DependencyInjection;

namespace Dstack.Agent.Methods;

/// <summary>The list of served methods: adding a method is one class plus one line here.</summary>
internal static class MethodRegistration
{
    /// <summary>Registers every method and the lookup table.</summary>
    public static IServiceCollection AddRpcMethods(this IServiceCollection services)
    {
        services.AddSingleton<IRpcMethod, VersionMethod>();
        services.AddSingleton<IRpcMethod, InfoMethod>();
        services.AddSingleton<IRpcMethod, GetKeyMethod>();
        services.AddSingleton<IRpcMethod, SignMethod>();
        services.AddSingleton<IRpcMethod, VerifyMethod>();
        services.AddSingleton<IRpcMethod, DeriveK256KeyMethod>();
        services.AddSingleton<IRpcMethod, GetQuoteMethod>();
        services.AddSingleton<IRpcMethod, AttestMethod>();
        services.AddSingleton<IRpcMethod, EmitEventMethod>();
        services.AddSingleton<IRpcMethod, GetTlsKeyMethod>();
        services.AddSingleton<IRpcMethod, DeriveKeyMethod>();
        services.AddSingleton<IRpcMethod, TdxQuoteMethod>();
        services.AddSingleton<IRpcMethod, RawQuoteMethod>();
        services.AddSingleton<RpcMethodTable>();
        return services;
    }
}
