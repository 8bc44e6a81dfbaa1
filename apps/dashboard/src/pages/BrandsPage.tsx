import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { BrandsDocument, CreateBrandDocument } from '../graphql/generated';
import { BRAND_LIST } from '../lib/typenames';
import { describeError, errorField } from '../lib/errors';
import { Link, navigate } from '../lib/router';
import { hasRole, useSession } from '../lib/use-session';
import { TextField, TextArea } from '../components/Field';
import { EmptyState, ErrorNotice, Loading } from '../components/Notice';

export function BrandsPage() {
  const session = useSession();
  const [{ data, fetching, error }] = useQuery({ query: BrandsDocument, variables: { first: 50 }, context: BRAND_LIST });
  const [creating, setCreating] = useState(false);
  const canEdit = hasRole(session, 'EDITOR');
  const brands = data?.brands.nodes ?? [];

  return (
    <section>
      <div className="page-head">
        <h1>Brands</h1>
        {canEdit && !creating && brands.length > 0 && (
          <button type="button" onClick={() => setCreating(true)}>
            New brand
          </button>
        )}
      </div>
      <ErrorNotice message={describeError(error)} />
      {fetching && !data && <Loading what="brands" />}
      {(creating || (data && brands.length === 0 && canEdit)) && (
        <NewBrandForm onCancel={brands.length ? () => setCreating(false) : undefined} />
      )}
      {data && brands.length === 0 && (
        <EmptyState title="No brands yet">
          <p>
            A brand holds the voice Brandwright writes in: who you are, who you talk to, words you use and never use.
            {canEdit ? ' Start by naming your first brand above.' : ' Ask an editor of this workspace to add one.'}
          </p>
        </EmptyState>
      )}
      {brands.length > 0 && (
        <ul className="cards" aria-label="Brands">
          {brands.map((brand) => (
            <li key={brand.id} className="card">
              <h2>
                <Link href={`/brands/${brand.id}`}>{brand.name}</Link>
              </h2>
              <p>{brand.description || 'No description yet.'}</p>
              <div className="swatches" role="img" aria-label={`Palette: ${brand.palette.join(', ') || 'none'}`}>
                {brand.palette.map((hex) => (
                  <span key={hex} className="swatch" style={{ background: hex }} />
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewBrandForm({ onCancel }: { onCancel?: () => void }) {
  const [{ fetching, error }, createBrand] = useMutation(CreateBrandDocument);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createBrand({ input: { name, description } });
    if (result.data) navigate(`/brands/${result.data.createBrand.id}`);
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="New brand">
      <h2>New brand</h2>
      <TextField
        label="Brand name"
        // Opened by "New brand" (which it replaces): focus starts in the form.
        autoFocus={!!onCancel}
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        invalid={errorField(error) === 'name'}
        errorId="new-brand-error"
      />
      <TextArea
        label="What the brand does"
        rows={3}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        hint="One or two sentences. You can describe the voice in detail on the next page."
      />
      <ErrorNotice message={describeError(error)} id="new-brand-error" />
      <div className="actions">
        <button type="submit" disabled={fetching}>
          Create brand
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
