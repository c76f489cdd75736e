namespace Dstack.Crypto;
