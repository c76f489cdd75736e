# Builds the dstack agent as a Native AOT binary and ships it on the runtime-deps base (no .NET runtime inside).
# No Docker engine runs on the development machines; build elsewhere, e.g. `docker build -t dstack-agent .`
# (or `docker buildx build --platform linux/arm64 ...`: the publish runs natively on the target architecture).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# the AOT linker needs a C toolchain and zlib
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN case "${TARGETARCH:-amd64}" in \
        amd64) rid=linux-x64 ;; \
        arm64) rid=linux-arm64 ;; \
        *) echo "unsupported architecture ${TARGETARCH}" >&2; exit 1 ;; \
    esac \
    && dotnet publish src/Dstack.Agent/Dstack.Agent.csproj -c Release -r "$rid" -o /out --nologo \
    && test -x /out/dstack-agent && test -f /out/libsecp256k1.so

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
# the binary and the native libsecp256k1 it loads from its own directory
COPY --from=build /out/dstack-agent /out/libsecp256k1.so /opt/dstack-agent/
COPY packaging/config/agent.json /etc/dstack/agent.json
ENTRYPOINT ["/opt/dstack-agent/dstack-agent"]
CMD ["run", "--config", "/etc/dstack/agent.json"]
