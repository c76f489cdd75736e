namespace Dstack.Agent.Api;

/// <summary>A request failure whose message is returned to the caller (HTTP 400, <c>{"error": message}</c>).</summary>
internal sealed class RpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RpcException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public RpcException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public RpcException()
        : base("request failed")
    {
    }
}
